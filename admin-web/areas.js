// The admin page's areas, in the order of their tabs: one line each, the name of a module
// `<name>.js` in this folder. Each module exports
//   strings  {vi: {...}, en: {...}}: its texts (keys start with its name)
//   roles    the roles that see it: ['admin'] or ['admin', 'manager']
//   mount({t, root, user, refused, announce})  draws the area into `root` (its tab panel)
//            once, and answers {open()} (called each time its tab is chosen) or nothing.
export const areas = ['hall', 'fields', 'counters', 'rules', 'calendar', 'staff', 'devices', 'audit'];
