// The "Cảnh báo" card of the general settings (hall.js): when the manager is alerted
// ([alerts], live: the next check and the next delivery follow a save) and where the
// alerts go besides the dashboard. The webhook's address usually holds a chat's secret: the
// server shows it as its host only (`https://chat.example/…`) and keeps the address set when
// that shown value comes back unchanged; typing a new address replaces it.

import { h } from '/shared/el.js';
import { labelled, markWrong, number, sectionCard } from './settings.js';

export const alertStrings = {
  vi: {
    'alerts.title': 'Cảnh báo',
    'alerts.hint':
      'Bảng điều hành báo khi có người chờ quá mục tiêu, quầy mở mà không gọi ai, máy in hết giấy, ki-ốt hoặc màn hình mất kết nối, và khi cán bộ báo khẩn cấp. Mỗi cảnh báo cũng được gửi tới địa chỉ nhận (ví dụ kênh chat của cơ quan).',
    'alerts.webhook_url': 'Địa chỉ nhận cảnh báo (webhook)',
    'alerts.webhook_url.hint':
      'Chỉ hiện tên máy chủ: phần sau (có khóa bí mật) không bao giờ hiện lại. Giữ nguyên để dùng địa chỉ đang có; dán địa chỉ mới để thay; để trống để chỉ báo trên bảng điều hành.',
    'alerts.idle_minutes': 'Quầy rảnh bao lâu thì báo (phút)',
    'alerts.idle_minutes.hint':
      'Quầy mở, không gọi ai, trong khi có người chờ lĩnh vực của quầy. 0: không báo.',
    'alerts.offline_minutes': 'Ki-ốt, màn hình mất kết nối bao lâu thì báo (phút)',
    'alerts.offline_minutes.hint': '0: không báo.',
    'alerts.webhook_timeout_seconds': 'Chờ mỗi lần gửi tối đa (giây)',
    'alerts.webhook_retries': 'Số lần gửi lại khi lỗi',
    'alerts.webhook_queue': 'Số cảnh báo chờ gửi tối đa',
    'alerts.invalid.url': '«{label}» phải bắt đầu bằng http:// hoặc https://.',
    'alerts.invalid.partial':
      '«{label}»: dấu «…» thay cho phần bị ẩn của địa chỉ đang dùng. Giữ nguyên để dùng tiếp, hoặc dán cả địa chỉ mới.',
  },
  en: {
    'alerts.title': 'Alerts',
    'alerts.hint':
      'The dashboard warns when someone waits past the target, a counter is open but calls nobody, a printer is out of paper, a kiosk or display is offline, and when a clerk raises an emergency. Each alert is also sent to the address below (the office’s chat, say).',
    'alerts.webhook_url': 'Where alerts are sent (webhook)',
    'alerts.webhook_url.hint':
      'Only its host is shown: the rest (with its secret) never shows again. Leave it as it is to keep the address set; paste a new one to replace it; empty: the dashboard only.',
    'alerts.idle_minutes': 'A counter idle this long is an alert (minutes)',
    'alerts.idle_minutes.hint': 'Open, calling nobody, while people wait in its fields. 0: never.',
    'alerts.offline_minutes': 'A kiosk or display offline this long is an alert (minutes)',
    'alerts.offline_minutes.hint': '0: never.',
    'alerts.webhook_timeout_seconds': 'Longest wait for one delivery (seconds)',
    'alerts.webhook_retries': 'Tries again after a failure',
    'alerts.webhook_queue': 'Alerts waiting to be sent at most',
    'alerts.invalid.url': '“{label}” must start with http:// or https://.',
    'alerts.invalid.partial':
      '“{label}”: the “…” stands for the hidden part of the address set. Leave it as it is to keep it, or paste a whole new address.',
  },
};

/** The card, as the other cards of the general settings (settings.js `sectionCard`). */
export function alertsCard({ t, admin, refused }) {
  return sectionCard({
    t,
    admin,
    refused,
    name: 'alerts',
    title: 'alerts.title',
    hint: 'alerts.hint',
    build(v) {
      const webhook = h('input', {
        id: 'alerts-webhook-url',
        value: v.webhook_url ?? '',
        inputmode: 'url',
        autocomplete: 'off',
        spellcheck: 'false',
        maxlength: 2000,
        'data-key': 'alerts.webhook_url',
      });
      const idle = number(v.idle_minutes, 0, 600, { 'data-key': 'alerts.idle_minutes', required: true });
      const offline = number(v.offline_minutes, 0, 600, {
        'data-key': 'alerts.offline_minutes',
        required: true,
      });
      const timeout = number(v.webhook_timeout_seconds, 1, 60, {
        'data-key': 'alerts.webhook_timeout_seconds',
        required: true,
      });
      const retries = number(v.webhook_retries, 0, 10, {
        'data-key': 'alerts.webhook_retries',
        required: true,
      });
      const queue = number(v.webhook_queue, 1, 10000, { 'data-key': 'alerts.webhook_queue', required: true });
      const error = h('p', { class: 'form-error', role: 'alert' });
      return {
        el: h(
          'div',
          {},
          h(
            'div',
            { class: 'form-grid' },
            labelled(t, 'alerts.webhook_url', webhook, { wide: true, hint: 'alerts.webhook_url.hint' }),
            labelled(t, 'alerts.idle_minutes', idle, { hint: 'alerts.idle_minutes.hint' }),
            labelled(t, 'alerts.offline_minutes', offline, { hint: 'alerts.offline_minutes.hint' }),
            labelled(t, 'alerts.webhook_timeout_seconds', timeout),
            labelled(t, 'alerts.webhook_retries', retries),
            labelled(t, 'alerts.webhook_queue', queue),
          ),
          error,
        ),
        read: () => {
          error.textContent = '';
          const url = webhook.value.trim();
          if (url !== '' && !/^https?:\/\/\S+$/i.test(url))
            return markWrong(webhook, error, t('alerts.invalid.url', { label: t('alerts.webhook_url') }));
          // "…" stands for the hidden part: kept as shown, or a whole new address.
          if (url.includes('…') && url !== v.webhook_url)
            return markWrong(webhook, error, t('alerts.invalid.partial', { label: t('alerts.webhook_url') }));
          return {
            ...v,
            webhook_url: url,
            idle_minutes: Number(idle.value),
            offline_minutes: Number(offline.value),
            webhook_timeout_seconds: Number(timeout.value),
            webhook_retries: Number(retries.value),
            webhook_queue: Number(queue.value),
          };
        },
      };
    },
  });
}
