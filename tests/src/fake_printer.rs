//! The fake network thermal printer lives in the printer crate (`motcua_printer::fake`), where
//! `motcua-printer fake` runs it too; the tests keep their old path to it.

pub use motcua_printer::fake::*;
