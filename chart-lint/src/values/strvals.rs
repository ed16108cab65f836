//! `--set` syntax (helm's `pkg/strvals/{parser,literal_parser}.go`).
//!
//! `a.b=1,c[0]=x,d={x,y}`: integers become `int64` (except with a leading `0`), `true`/`false`
//! bools, `null` is nil, other text stays a string (`1.5` too). `\` escapes the next rune in keys
//! and values. `--set-string` keeps everything as strings, `--set-json` parses JSON values,
//! `--set-file` reads files, `--set-literal` takes the rest of the argument verbatim.

use gotemplate::{List, Map, Value};

/// Largest list index accepted.
pub const MAX_INDEX: usize = 65536;
/// Deepest `a.b.c…` nesting accepted.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A value reader: turns the raw text after `=` into a value.
type Reader<'a> = &'a dyn Fn(&str) -> Result<Value, String>;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Typed,
    Strings,
    Json,
    File,
}

struct Scanner {
    runes: Vec<char>,
    pos: usize,
}

enum Stop {
    Hit(char),
    Eof,
}

impl Scanner {
    fn read(&mut self) -> Option<char> {
        let r = self.runes.get(self.pos).copied();
        if r.is_some() {
            self.pos += 1;
        }
        r
    }
    fn unread(&mut self) {
        self.pos -= 1;
    }
    /// `runesUntil`: reads until a stop rune; `\` escapes the next rune.
    fn until(&mut self, stop: &[char], escapes: bool) -> (String, Stop) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, Stop::Eof),
                Some(r) if stop.contains(&r) => return (v, Stop::Hit(r)),
                Some('\\') if escapes => match self.read() {
                    None => return (v, Stop::Eof),
                    Some(n) => v.push(n),
                },
                Some(r) => v.push(r),
            }
        }
    }
    fn rest(&self) -> String {
        self.runes[self.pos..].iter().collect()
    }
}

/// End of input (not an error: parsing stops).
const EOF: &str = "\u{0}EOF";

struct Parser<'a> {
    sc: Scanner,
    mode: Mode,
    file_reader: Option<Reader<'a>>,
}

/// `strvals.ParseInto`: `--set`.
pub fn parse_into(s: &str, dest: &Map) -> Result<(), String> {
    Parser::new(s, Mode::Typed, None).parse(dest)
}

/// `strvals.ParseIntoString`: `--set-string`.
pub fn parse_into_string(s: &str, dest: &Map) -> Result<(), String> {
    Parser::new(s, Mode::Strings, None).parse(dest)
}

/// `strvals.ParseJSON`: `--set-json` with `key=JSON` pairs.
pub fn parse_json_into(s: &str, dest: &Map) -> Result<(), String> {
    Parser::new(s, Mode::Json, None).parse(dest)
}

/// `strvals.ParseIntoFile`: `--set-file key=path` (the reader loads the file).
pub fn parse_into_file(s: &str, dest: &Map, reader: Reader<'_>) -> Result<(), String> {
    Parser::new(s, Mode::File, Some(reader)).parse(dest)
}

/// `strvals.Parse` into a new map.
pub fn parse(s: &str) -> Result<Map, String> {
    let m = Map::new();
    parse_into(s, &m)?;
    Ok(m)
}

fn typed_val(v: &str, strings: bool) -> Value {
    if strings {
        return Value::str(v);
    }
    if v.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if v == "0" {
        return Value::int64(0);
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = go_parse_int(v)
    {
        return Value::int64(i);
    }
    Value::str(v)
}

/// `strconv.ParseInt(s, 10, 64)`: optional sign, ASCII digits, no underscores.
fn go_parse_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

fn set(data: &Map, key: &str, val: Value) {
    if key.is_empty() {
        return;
    }
    data.insert(key, val);
}

fn set_index(
    mut list: Vec<Value>,
    index: i64,
    val: Value,
) -> Result<Vec<Value>, (Vec<Value>, String)> {
    if index < 0 {
        return Err((list, format!("negative {index} index not allowed")));
    }
    let index = index as usize;
    if index > MAX_INDEX {
        return Err((
            list,
            format!("index of {index} is greater than maximum supported index of {MAX_INDEX}"),
        ));
    }
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = val;
    Ok(list)
}

fn conversion_panic(v: &Value, want: &str) -> String {
    let got = match v {
        Value::Nil => "nil".to_string(),
        v => v.go_type(),
    };
    format!("unable to parse key: interface conversion: interface {{}} is {got}, not {want}")
}

impl<'a> Parser<'a> {
    fn new(s: &str, mode: Mode, file_reader: Option<Reader<'a>>) -> Parser<'a> {
        Parser {
            sc: Scanner {
                runes: s.chars().collect(),
                pos: 0,
            },
            mode,
            file_reader,
        }
    }

    fn parse(&mut self, data: &Map) -> Result<(), String> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(e) if e == EOF => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn read_value(&self, raw: &str) -> Result<Value, String> {
        match self.mode {
            Mode::Typed => Ok(typed_val(raw, false)),
            Mode::Strings => Ok(typed_val(raw, true)),
            Mode::File => match self.file_reader {
                Some(r) => r(raw),
                None => Ok(Value::str(raw)),
            },
            Mode::Json => Ok(Value::str(raw)),
        }
    }

    fn key(&mut self, data: &Map, mut level: usize) -> Result<(), String> {
        let (k, last) = self.sc.until(&['=', '[', ',', '.'], true);
        match last {
            Stop::Eof => {
                if k.is_empty() {
                    Err(EOF.into())
                } else {
                    Err(format!("key {k:?} has no value"))
                }
            }
            Stop::Hit('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| format!("error parsing index: {e}"))?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.items().to_vec(),
                    Some(other) => return Err(conversion_panic(&other, "[]interface {}")),
                };
                let (list, err) = match self.list_item(list, i, level) {
                    Ok(l) => (l, None),
                    Err((l, e)) => (l, Some(e)),
                };
                set(data, &k, Value::list(list));
                match err {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
            Stop::Hit('=') => {
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::list(vl));
                        Ok(())
                    }
                    Err(ValListErr::Eof) => {
                        set(data, &k, Value::str(""));
                        Err(EOF.into())
                    }
                    Err(ValListErr::NotList) => {
                        let (rs, _) = self.sc.until(&[','], true);
                        let v = self.read_value(&rs)?;
                        set(data, &k, v);
                        Ok(())
                    }
                    Err(ValListErr::Other(e)) => Err(e),
                }
            }
            Stop::Hit(',') => {
                set(data, &k, Value::str(""));
                Err(format!("key {k:?} has no value (cannot end with ,)"))
            }
            Stop::Hit(_) => {
                // '.'
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let inner = match data.get(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => return Err(conversion_panic(&other, "map[string]interface {}")),
                };
                let e = self.key(&inner, level);
                if e.is_ok() && inner.is_empty() {
                    return Err(format!("key map {k:?} has no value"));
                }
                if !inner.is_empty() {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> Result<i64, String> {
        let (v, last) = self.sc.until(&[']'], true);
        if let Stop::Eof = last {
            return Err("EOF".into());
        }
        go_atoi(&v)
    }

    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> Result<Vec<Value>, (Vec<Value>, String)> {
        if i < 0 {
            return Err((list, format!("negative {i} index not allowed")));
        }
        let (k, last) = self.sc.until(&['[', '.', '='], true);
        if !k.is_empty() {
            return Err((
                list,
                format!("unexpected data at end of array index: {k:?}"),
            ));
        }
        match last {
            Stop::Eof => Err((list, "EOF".into())),
            Stop::Hit('=') => {
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        return set_index(list, i, Value::Nil);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return Err((list, e)),
                    };
                    let list = set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(list);
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::list(vl)),
                    Err(ValListErr::Eof) => set_index(list, i, Value::str("")),
                    Err(ValListErr::NotList) => {
                        let (rs, _) = self.sc.until(&[','], true);
                        match self.read_value(&rs) {
                            Ok(v) => set_index(list, i, v),
                            Err(e) => Err((list, e)),
                        }
                    }
                    Err(ValListErr::Other(e)) => Err((list, e)),
                }
            }
            Stop::Hit('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return Err((list, format!("error parsing index: {e}"))),
                };
                let crt = match list.get(i as usize) {
                    Some(Value::List(l)) => l.items().to_vec(),
                    Some(Value::Nil) | None => Vec::new(),
                    Some(other) => {
                        let e = conversion_panic(other, "[]interface {}");
                        return Err((list, e));
                    }
                };
                let list2 = match self.list_item(crt, next, level) {
                    Ok(l) => l,
                    Err((_, e)) => return Err((list, e)),
                };
                set_index(list, i, Value::list(list2))
            }
            Stop::Hit(_) => {
                // '.'
                let mut list = list;
                let inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.clone(),
                    Some(_) => {
                        let m = Map::new();
                        list[i as usize] = Value::Map(m.clone());
                        m
                    }
                    None => Map::new(),
                };
                if let Err(e) = self.key(&inner, level) {
                    return Err((list, e));
                }
                set_index(list, i, Value::Map(inner))
            }
        }
    }

    /// Skips spaces; true at end of input or after a `,`.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.sc.read() {
                None => return true,
                Some(',') => return true,
                Some(r) if r.is_whitespace() => continue,
                Some(_) => {
                    self.sc.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> Result<Value, String> {
        let rest = self.sc.rest();
        let mut de = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        match de.next() {
            Some(Ok(v)) => {
                let consumed = de.byte_offset();
                self.sc.pos += rest[..consumed].chars().count();
                Ok(crate::convert::json_to_value(&v))
            }
            Some(Err(e)) => Err(e.to_string()),
            None => Err("EOF".into()),
        }
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ValListErr> {
        match self.sc.read() {
            None => return Err(ValListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.sc.unread();
                return Err(ValListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.sc.until(&[',', '}'], true);
            match last {
                Stop::Eof => return Err(ValListErr::Other("list must terminate with '}'".into())),
                Stop::Hit('}') => {
                    if let Some(r) = self.sc.read()
                        && r != ','
                    {
                        self.sc.unread();
                    }
                    let v = self.read_value(&rs).map_err(ValListErr::Other)?;
                    list.push(v);
                    return Ok(list);
                }
                Stop::Hit(_) => {
                    let v = self.read_value(&rs).map_err(ValListErr::Other)?;
                    list.push(v);
                }
            }
        }
    }
}

enum ValListErr {
    Eof,
    NotList,
    Other(String),
}

fn go_atoi(s: &str) -> Result<i64, String> {
    go_parse_int(s).ok_or_else(|| format!("strconv.Atoi: parsing {s:?}: invalid syntax"))
}

/// `strvals.ParseLiteralInto`: `--set-literal` (no escapes, the value is the rest verbatim).
pub fn parse_literal_into(s: &str, dest: &Map) -> Result<(), String> {
    let mut sc = Scanner {
        runes: s.chars().collect(),
        pos: 0,
    };
    loop {
        match literal_key(&mut sc, dest, 0) {
            Ok(()) => continue,
            Err(e) if e == EOF => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

fn literal_key(sc: &mut Scanner, data: &Map, mut level: usize) -> Result<(), String> {
    let (k, last) = sc.until(&['=', '[', '.'], false);
    match last {
        Stop::Eof => {
            if k.is_empty() {
                Err(EOF.into())
            } else {
                Err(format!("key {k:?} has no value"))
            }
        }
        Stop::Hit('=') => {
            let v = sc.rest();
            sc.pos = sc.runes.len();
            set(data, &k, Value::str(v));
            Ok(())
        }
        Stop::Hit('.') => {
            level += 1;
            if level > MAX_NESTED_NAME_LEVEL {
                return Err(format!(
                    "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                ));
            }
            let inner = match data.get(&k) {
                None => Map::new(),
                Some(Value::Map(m)) => m,
                Some(other) => return Err(conversion_panic(&other, "map[string]interface {}")),
            };
            let e = literal_key(sc, &inner, level);
            if e.is_ok() && inner.is_empty() {
                return Err(format!("key map {k:?} has no value"));
            }
            if !inner.is_empty() {
                set(data, &k, Value::Map(inner));
            }
            e
        }
        Stop::Hit(_) => {
            let (iv, l) = sc.until(&[']'], false);
            if let Stop::Eof = l {
                return Err("error parsing index: EOF".into());
            }
            let i = go_atoi(&iv).map_err(|e| format!("error parsing index: {e}"))?;
            let list = match data.get(&k) {
                None => Vec::new(),
                Some(Value::List(l)) => l.items().to_vec(),
                Some(other) => return Err(conversion_panic(&other, "[]interface {}")),
            };
            let (list, err) = match literal_list_item(sc, list, i, level) {
                Ok(l) => (l, None),
                Err((l, e)) => (l, Some(e)),
            };
            set(data, &k, Value::List(List::new(list)));
            match err {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
    }
}

fn literal_list_item(
    sc: &mut Scanner,
    list: Vec<Value>,
    i: i64,
    level: usize,
) -> Result<Vec<Value>, (Vec<Value>, String)> {
    if i < 0 {
        return Err((list, format!("negative {i} index not allowed")));
    }
    let (k, last) = sc.until(&['[', '.', '='], false);
    if !k.is_empty() {
        return Err((
            list,
            format!("unexpected data at end of array index: {k:?}"),
        ));
    }
    match last {
        Stop::Eof => Err((list, "EOF".into())),
        Stop::Hit('=') => {
            let v = sc.rest();
            sc.pos = sc.runes.len();
            set_index(list, i, Value::str(v))
        }
        Stop::Hit('.') => {
            let mut list = list;
            let inner = match list.get(i as usize) {
                Some(Value::Map(m)) => m.clone(),
                Some(_) => {
                    let m = Map::new();
                    list[i as usize] = Value::Map(m.clone());
                    m
                }
                None => Map::new(),
            };
            if let Err(e) = literal_key(sc, &inner, level) {
                return Err((list, e));
            }
            set_index(list, i, Value::Map(inner))
        }
        Stop::Hit(_) => {
            let (iv, l) = sc.until(&[']'], false);
            if let Stop::Eof = l {
                return Err((list, "error parsing index: EOF".into()));
            }
            let next = match go_atoi(&iv) {
                Ok(n) => n,
                Err(e) => return Err((list, format!("error parsing index: {e}"))),
            };
            let crt = match list.get(i as usize) {
                Some(Value::List(l)) => l.items().to_vec(),
                _ => Vec::new(),
            };
            let list2 = match literal_list_item(sc, crt, next, level) {
                Ok(l) => l,
                Err((_, e)) => return Err((list, e)),
            };
            set_index(list, i, Value::list(list2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(m: &Map, path: &str) -> Value {
        crate::values::path_value(m, path).unwrap_or(Value::Nil)
    }

    #[test]
    fn typed_values() {
        let m = parse("a=1,b=1.5,c=true,d=null,e=0,f=007,g=x\\,y,h.i=2").unwrap();
        assert!(matches!(
            get(&m, "a"),
            Value::Int(1, gotemplate::IntTy::Int64)
        ));
        assert_eq!(get(&m, "b").as_str(), Some("1.5"));
        assert!(matches!(get(&m, "c"), Value::Bool(true)));
        assert!(m.contains_key("d") && m.get("d").unwrap().is_nil());
        assert!(matches!(get(&m, "e"), Value::Int(0, _)));
        assert_eq!(get(&m, "f").as_str(), Some("007"));
        assert_eq!(get(&m, "g").as_str(), Some("x,y"));
        assert!(matches!(get(&m, "h.i"), Value::Int(2, _)));
    }

    #[test]
    fn lists() {
        let m = parse("a[1]=z,b={x,y},c[0].d=1").unwrap();
        let Some(Value::List(a)) = m.get("a") else {
            panic!("a")
        };
        assert_eq!(a.len(), 2);
        assert!(a[0].is_nil());
        assert_eq!(a[1].as_str(), Some("z"));
        let Some(Value::List(b)) = m.get("b") else {
            panic!("b")
        };
        assert_eq!(b.len(), 2);
        let Some(Value::List(c)) = m.get("c") else {
            panic!("c")
        };
        assert!(matches!(&c[0], Value::Map(_)));
    }

    #[test]
    fn errors() {
        assert_eq!(parse("a").unwrap_err(), "key \"a\" has no value");
        assert_eq!(
            parse("a,b=1").unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert!(
            parse("a=x,a.b=1")
                .unwrap_err()
                .contains("interface conversion")
        );
        assert!(
            parse("a[x]=1")
                .unwrap_err()
                .starts_with("error parsing index")
        );
    }

    #[test]
    fn strings_json_literal() {
        let m = Map::new();
        parse_into_string("a=1,b=true", &m).unwrap();
        assert_eq!(m.get("a").unwrap().as_str(), Some("1"));
        let m = Map::new();
        parse_json_into("a={\"x\":[1,2]},b=\"s\"", &m).unwrap();
        assert!(matches!(m.get("a"), Some(Value::Map(_))));
        assert_eq!(m.get("b").unwrap().as_str(), Some("s"));
        let m = Map::new();
        parse_literal_into("a.b=x,y=z\\n", &m).unwrap();
        assert_eq!(get(&m, "a.b").as_str(), Some("x,y=z\\n"));
    }
}
