//! Date functions (sprig `date.go`): `now`, `date`, `dateInZone`, `htmlDate`,
//! `htmlDateInZone`, `dateModify`, `toDate`, `unixEpoch`, `ago`, `duration`, `durationRound`,
//! with Go's `time` layouts (`2006-01-02T15:04:05Z07:00`), durations (`1h30m`) and zones read
//! from the system's zoneinfo files (TZif, plus the POSIX rule in the footer).

use std::rc::Rc;

use gotemplate::{FuncError, FuncMap, IntTy, Object, Ty, Value};

use crate::{arg, arg_str, ok, reg};

pub(crate) fn register(m: &mut FuncMap) {
    use Ty::{Any, String as S};
    reg(m, "now", &[], |_| Ok(GoTime::now().into_value()));
    reg(m, "date", &[S, Any], |a| {
        ok(date_in_zone(&arg_str(a, 0), &arg(a, 1), "Local"))
    });
    for name in ["dateInZone", "date_in_zone"] {
        reg(m, name, &[S, Any, S], |a| {
            ok(date_in_zone(&arg_str(a, 0), &arg(a, 1), &arg_str(a, 2)))
        });
    }
    reg(m, "htmlDate", &[Any], |a| {
        ok(date_in_zone("2006-01-02", &arg(a, 0), "Local"))
    });
    reg(m, "htmlDateInZone", &[Any, S], |a| {
        ok(date_in_zone("2006-01-02", &arg(a, 0), &arg_str(a, 1)))
    });
    for name in ["dateModify", "date_modify"] {
        reg(m, name, &[S, Any], |a| {
            let t = time_arg(&arg(a, 1))?;
            Ok(match parse_duration(&arg_str(a, 0)) {
                Ok(d) => t.add_nanos(d).into_value(),
                Err(_) => t.into_value(),
            })
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        reg(m, name, &[S, Any], |a| {
            let t = time_arg(&arg(a, 1))?;
            let d = parse_duration(&arg_str(a, 0)).map_err(FuncError::Call)?;
            Ok(t.add_nanos(d).into_value())
        });
    }
    reg(m, "toDate", &[S, S], |a| {
        Ok(parse_time(&arg_str(a, 0), &arg_str(a, 1), &Zone::local())
            .unwrap_or_else(|_| GoTime::zero())
            .into_value())
    });
    reg(m, "mustToDate", &[S, S], |a| {
        parse_time(&arg_str(a, 0), &arg_str(a, 1), &Zone::local())
            .map(GoTime::into_value)
            .map_err(FuncError::Call)
    });
    reg(m, "unixEpoch", &[Any], |a| {
        ok(time_arg(&arg(a, 0))?.secs.to_string())
    });
    reg(m, "ago", &[Any], |a| {
        let t = match arg(a, 0) {
            Value::Int(i, IntTy::Int64 | IntTy::Int) => GoTime::from_unix(i, 0, Zone::local()),
            v => time_of(&v).unwrap_or_else(GoTime::now),
        };
        let now = GoTime::now();
        let d = (now.secs as i128 * 1_000_000_000 + now.nsec as i128)
            - (t.secs as i128 * 1_000_000_000 + t.nsec as i128);
        let d = d.clamp(i64::MIN as i128, i64::MAX as i128) as i64;
        ok(format_duration(round_duration(d, 1_000_000_000)))
    });
    reg(m, "duration", &[Any], |a| {
        let n: i64 = match arg(a, 0) {
            Value::String(s) => crate::cast::atoi(&s),
            Value::Int(i, IntTy::Int64) => i,
            _ => 0,
        };
        ok(format_duration(n.wrapping_mul(1_000_000_000)))
    });
    reg(m, "durationRound", &[Any], |a| {
        let d: i64 = match arg(a, 0) {
            Value::String(s) => parse_duration(&s).unwrap_or(0),
            Value::Int(i, IntTy::Int64) => i,
            v => match time_of(&v) {
                Some(t) => {
                    let now = GoTime::now();
                    (now.secs - t.secs).saturating_mul(1_000_000_000)
                        + (now.nsec as i64 - t.nsec as i64)
                }
                None => 0,
            },
        };
        ok(duration_round(d))
    });
}

fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    const S: u64 = 1_000_000_000;
    let (year, month, day, hour, minute) = (
        S * 3600 * 24 * 365,
        S * 3600 * 24 * 30,
        S * 3600 * 24,
        S * 3600,
        S * 60,
    );
    if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > hour {
        format!("{}h", u / hour)
    } else if u > minute {
        format!("{}m", u / minute)
    } else if u > S {
        format!("{}s", u / S)
    } else {
        "0s".into()
    }
}

// ---------- time values ----------

/// A Go `time.Time`: an instant and the zone it is shown in.
#[derive(Debug, Clone)]
pub(crate) struct GoTime {
    secs: i64,
    nsec: u32,
    zone: Rc<Zone>,
    /// Nanoseconds since process start when taken by `now` (Go's monotonic reading).
    mono: Option<i64>,
}

fn time_of(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) => o.as_any()?.downcast_ref::<GoTime>().cloned(),
        _ => None,
    }
}

fn time_arg(v: &Value) -> Result<GoTime, FuncError> {
    time_of(v).ok_or_else(|| {
        let got = match v {
            Value::Object(o) => o.type_name(),
            other => other.go_type(),
        };
        FuncError::Call(format!(
            "wrong type for value; expected time.Time; got {got}"
        ))
    })
}

fn process_start() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

impl GoTime {
    fn now() -> GoTime {
        let start = process_start();
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let mono = start.elapsed().as_nanos() as i64;
        GoTime {
            secs: d.as_secs() as i64,
            nsec: d.subsec_nanos(),
            zone: Zone::local(),
            mono: Some(mono.max(1)),
        }
    }

    fn zero() -> GoTime {
        // January 1, year 1, 00:00:00 UTC
        GoTime {
            secs: -62_135_596_800,
            nsec: 0,
            zone: Zone::utc(),
            mono: None,
        }
    }

    fn from_unix(secs: i64, nsec: u32, zone: Rc<Zone>) -> GoTime {
        GoTime {
            secs,
            nsec,
            zone,
            mono: None,
        }
    }

    fn add_nanos(&self, d: i64) -> GoTime {
        let total = self.nsec as i64 + d.rem_euclid(1_000_000_000);
        let secs = self.secs + d.div_euclid(1_000_000_000) + total / 1_000_000_000;
        GoTime {
            secs,
            nsec: (total % 1_000_000_000) as u32,
            zone: self.zone.clone(),
            mono: self.mono.map(|m| m + d),
        }
    }

    fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    fn in_zone(&self, zone: Rc<Zone>) -> GoTime {
        GoTime {
            zone,
            ..self.clone()
        }
    }

    /// `Time.Format`.
    pub(crate) fn format(&self, layout: &str) -> String {
        let (offset, abbr) = self.zone.lookup(self.secs);
        format_layout(layout, self.secs + offset as i64, self.nsec, offset, &abbr)
    }

    fn string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let a = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                a / 1_000_000_000,
                a % 1_000_000_000
            ));
        }
        s
    }
}

impl Object for GoTime {
    fn type_name(&self) -> String {
        "time.Time".into()
    }

    fn kind_name(&self) -> &'static str {
        "struct"
    }

    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Format"
                | "Unix"
                | "UnixMilli"
                | "UnixNano"
                | "Year"
                | "Month"
                | "Day"
                | "Hour"
                | "Minute"
                | "Second"
                | "Nanosecond"
                | "YearDay"
                | "Weekday"
                | "UTC"
                | "Local"
                | "String"
                | "IsZero"
        )
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let (offset, _) = self.zone.lookup(self.secs);
        let local = self.secs + offset as i64;
        let days = local.div_euclid(86400);
        let sod = local.rem_euclid(86400);
        let (y, mo, d) = civil_from_days(days);
        Some(Ok(match name {
            "Format" => match args.first() {
                Some(Value::String(l)) => Value::str(self.format(l)),
                _ => return Some(Err("wrong type for value; expected string".into())),
            },
            "Unix" => Value::int64(self.secs),
            "UnixMilli" => Value::int64(self.secs * 1000 + self.nsec as i64 / 1_000_000),
            "UnixNano" => Value::int64(
                self.secs
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(self.nsec as i64),
            ),
            "Year" => Value::int(y),
            "Month" => Value::str(MONTHS[(mo - 1) as usize]),
            "Day" => Value::int(d as i64),
            "Hour" => Value::int(sod / 3600),
            "Minute" => Value::int(sod % 3600 / 60),
            "Second" => Value::int(sod % 60),
            "Nanosecond" => Value::int(self.nsec as i64),
            "YearDay" => Value::int(days - days_from_civil(y, 1, 1) + 1),
            "Weekday" => Value::str(DAYS[weekday(days)]),
            "UTC" => self.in_zone(Zone::utc()).into_value(),
            "Local" => self.in_zone(Zone::local()).into_value(),
            "String" => Value::str(self.string()),
            "IsZero" => Value::Bool(self.secs == -62_135_596_800 && self.nsec == 0),
            _ => return None,
        }))
    }

    fn to_value(&self) -> Option<Value> {
        Some(Value::str(
            self.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }

    fn format_v(&self) -> Option<String> {
        Some(self.string())
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let t = match date {
        Value::Int(i, IntTy::Int64 | IntTy::Int | IntTy::Int32) => {
            GoTime::from_unix(*i, 0, Zone::utc())
        }
        other => time_of(other).unwrap_or_else(GoTime::now),
    };
    let z = Zone::load(zone).unwrap_or_else(Zone::utc);
    t.in_zone(z).format(layout)
}

// ---------- calendar ----------

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn weekday(days: i64) -> usize {
    (days + 4).rem_euclid(7) as usize
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------- zones ----------

/// A time zone: fixed, or transitions from a TZif file plus its POSIX footer rule.
#[derive(Debug)]
pub(crate) struct Zone {
    trans: Vec<(i64, usize)>,
    types: Vec<(i32, String)>,
    rule: Option<Rule>,
}

impl Zone {
    fn fixed(offset: i32, abbr: &str) -> Rc<Zone> {
        Rc::new(Zone {
            trans: Vec::new(),
            types: vec![(offset, abbr.to_string())],
            rule: None,
        })
    }

    pub(crate) fn utc() -> Rc<Zone> {
        Zone::fixed(0, "UTC")
    }

    /// Go's `Local`: `$TZ` (empty = UTC) or `/etc/localtime`.
    pub(crate) fn local() -> Rc<Zone> {
        match std::env::var("TZ") {
            Ok(tz) if tz.is_empty() => Zone::utc(),
            Ok(tz) => {
                let name = tz.trim_start_matches(':');
                if name == "UTC" {
                    return Zone::utc();
                }
                if name.starts_with('/') {
                    std::fs::read(name)
                        .ok()
                        .and_then(|b| parse_tzif(&b))
                        .map(Rc::new)
                        .unwrap_or_else(Zone::utc)
                } else {
                    Zone::load(name).unwrap_or_else(Zone::utc)
                }
            }
            Err(_) => std::fs::read("/etc/localtime")
                .ok()
                .and_then(|b| parse_tzif(&b))
                .map(Rc::new)
                .unwrap_or_else(Zone::utc),
        }
    }

    /// Go's `time.LoadLocation`.
    pub(crate) fn load(name: &str) -> Option<Rc<Zone>> {
        match name {
            "" | "UTC" => return Some(Zone::utc()),
            "Local" => return Some(Zone::local()),
            _ => {}
        }
        if name.contains("..") || name.starts_with('/') || name.contains('\\') {
            return None;
        }
        let mut dirs: Vec<String> = Vec::new();
        if let Ok(z) = std::env::var("ZONEINFO") {
            dirs.push(z);
        }
        dirs.extend(
            [
                "/usr/share/zoneinfo",
                "/usr/share/lib/zoneinfo",
                "/usr/lib/locale/TZ",
                "/etc/zoneinfo",
            ]
            .map(String::from),
        );
        for d in dirs {
            if let Ok(b) = std::fs::read(format!("{d}/{name}")) {
                return parse_tzif(&b).map(Rc::new);
            }
        }
        None
    }

    /// (offset seconds east of UTC, abbreviation) in effect at `secs`.
    fn lookup(&self, secs: i64) -> (i32, String) {
        if self.trans.is_empty() || secs < self.trans[0].0 {
            if let Some(r) = &self.rule
                && self.trans.is_empty()
            {
                return r.lookup(secs);
            }
            // before the first transition: the first non-DST type (Go's rule of thumb)
            let t = &self.types[0];
            return (t.0, t.1.clone());
        }
        let idx = self.trans.partition_point(|&(t, _)| t <= secs) - 1;
        if idx == self.trans.len() - 1
            && let Some(r) = &self.rule
        {
            return r.lookup(secs);
        }
        let t = &self.types[self.trans[idx].1];
        (t.0, t.1.clone())
    }
}

fn be32(b: &[u8], p: usize) -> Option<i64> {
    Some(i32::from_be_bytes(b.get(p..p + 4)?.try_into().ok()?) as i64)
}

fn be64(b: &[u8], p: usize) -> Option<i64> {
    Some(i64::from_be_bytes(b.get(p..p + 8)?.try_into().ok()?))
}

fn parse_tzif(b: &[u8]) -> Option<Zone> {
    if b.get(0..4)? != b"TZif" {
        return None;
    }
    let version = *b.get(4)?;
    let counts = |p: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, x) in c.iter_mut().enumerate() {
            *x = be32(b, p + 20 + 4 * i)? as usize;
        }
        Some(c)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0)?;
    let v1len = timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    let (base, tsize) = if version >= b'2' {
        let p2 = 44 + v1len;
        (p2, 8)
    } else {
        (0, 4)
    };
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(base)?;
    let mut p = base + 44;
    let mut trans = Vec::with_capacity(timecnt);
    for i in 0..timecnt {
        let t = if tsize == 8 {
            be64(b, p + 8 * i)?
        } else {
            be32(b, p + 4 * i)?
        };
        trans.push(t);
    }
    p += timecnt * tsize;
    let idx: Vec<usize> = b.get(p..p + timecnt)?.iter().map(|&x| x as usize).collect();
    p += timecnt;
    let mut raw_types = Vec::new();
    for i in 0..typecnt {
        let q = p + 6 * i;
        raw_types.push((be32(b, q)? as i32, *b.get(q + 5)? as usize));
    }
    p += typecnt * 6;
    let chars = b.get(p..p + charcnt)?;
    p += charcnt + leap * (tsize + 4) + isstd + isut;
    let types: Vec<(i32, String)> = raw_types
        .into_iter()
        .map(|(off, ai)| {
            let end = chars[ai.min(chars.len())..]
                .iter()
                .position(|&c| c == 0)
                .map(|e| ai + e)
                .unwrap_or(chars.len());
            (
                off,
                String::from_utf8_lossy(&chars[ai.min(chars.len())..end]).into_owned(),
            )
        })
        .collect();
    if types.is_empty() {
        return None;
    }
    let rule = if version >= b'2' {
        let footer = b.get(p..)?;
        let s = String::from_utf8_lossy(footer);
        let s = s.trim_matches('\n');
        Rule::parse(s)
    } else {
        None
    };
    Some(Zone {
        trans: trans.into_iter().zip(idx).collect(),
        types,
        rule,
    })
}

/// A POSIX TZ rule such as `EST5EDT,M3.2.0,M11.1.0` (only the `Mm.w.d` date form).
#[derive(Debug)]
struct Rule {
    std: (String, i32),
    dst: Option<(String, i32, RuleDate, i32, RuleDate, i32)>,
}

#[derive(Debug, Clone, Copy)]
struct RuleDate {
    month: u32,
    week: u32,
    day: u32,
}

impl Rule {
    fn parse(s: &str) -> Option<Rule> {
        let b = s.as_bytes();
        let mut i = 0;
        let name = |i: &mut usize| -> Option<String> {
            if b.get(*i) == Some(&b'<') {
                let end = s[*i..].find('>')? + *i;
                let n = s[*i + 1..end].to_string();
                *i = end + 1;
                Some(n)
            } else {
                let start = *i;
                while *i < b.len() && b[*i].is_ascii_alphabetic() {
                    *i += 1;
                }
                if *i - start < 3 {
                    return None;
                }
                Some(s[start..*i].to_string())
            }
        };
        let offset = |i: &mut usize| -> Option<i32> {
            let mut sign = 1;
            if matches!(b.get(*i), Some(b'+') | Some(b'-')) {
                if b[*i] == b'-' {
                    sign = -1;
                }
                *i += 1;
            }
            let mut parts = [0i32; 3];
            for (k, part) in parts.iter_mut().enumerate() {
                if k > 0 {
                    if b.get(*i) != Some(&b':') {
                        break;
                    }
                    *i += 1;
                }
                let start = *i;
                while *i < b.len() && b[*i].is_ascii_digit() {
                    *i += 1;
                }
                *part = s[start..*i].parse().ok()?;
            }
            Some(sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]))
        };
        let std_name = name(&mut i)?;
        // POSIX offsets are west of UTC
        let std_off = -offset(&mut i)?;
        if i >= b.len() {
            return Some(Rule {
                std: (std_name, std_off),
                dst: None,
            });
        }
        let dst_name = name(&mut i)?;
        let dst_off = if b.get(i) != Some(&b',') {
            -offset(&mut i)?
        } else {
            std_off + 3600
        };
        let date = |i: &mut usize| -> Option<(RuleDate, i32)> {
            if b.get(*i) != Some(&b',') || b.get(*i + 1) != Some(&b'M') {
                return None;
            }
            *i += 2;
            let rest = &s[*i..];
            let end = rest.find([',', '/']).unwrap_or(rest.len());
            let mut it = rest[..end].split('.').map(|x| x.parse::<u32>().ok());
            let d = RuleDate {
                month: it.next()??,
                week: it.next()??,
                day: it.next()??,
            };
            *i += end;
            let mut t = 7200;
            if b.get(*i) == Some(&b'/') {
                *i += 1;
                t = offset(i)?;
            }
            Some((d, t))
        };
        let (start, st) = date(&mut i)?;
        let (end, et) = date(&mut i)?;
        Some(Rule {
            std: (std_name, std_off),
            dst: Some((dst_name, dst_off, start, st, end, et)),
        })
    }

    fn lookup(&self, secs: i64) -> (i32, String) {
        let Some((dn, doff, start, st, end, et)) = &self.dst else {
            return (self.std.1, self.std.0.clone());
        };
        let year = civil_from_days((secs + self.std.1 as i64).div_euclid(86400)).0;
        let at = |d: &RuleDate, t: i32, off: i32| -> i64 {
            // day of month of the w-th weekday d in month m (w=5 means last)
            let first = days_from_civil(year, d.month, 1);
            let wd = weekday(first) as u32;
            let mut day = 1 + (d.day + 7 - wd) % 7 + (d.week - 1) * 7;
            while day > days_in_month(year, d.month) {
                day -= 7;
            }
            (days_from_civil(year, d.month, day)) * 86400 + t as i64 - off as i64
        };
        let s = at(start, *st, self.std.1);
        let e = at(end, *et, *doff);
        let in_dst = if s < e {
            secs >= s && secs < e
        } else {
            !(secs >= e && secs < s)
        };
        if in_dst {
            (*doff, dn.clone())
        } else {
            (self.std.1, self.std.0.clone())
        }
    }
}

// ---------- layouts ----------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// Fractional seconds: (digits, trim zeros, separator).
    Frac(usize, bool, u8),
}

/// Go's `nextStdChunk`: (prefix, chunk, suffix).
fn next_std(l: &str) -> (&str, Option<Std>, &str) {
    let b = l.as_bytes();
    let starts = |i: usize, p: &str| l[i..].starts_with(p);
    let lower_after = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_lowercase());
    for i in 0..b.len() {
        let r = |std: Std, n: usize| (&l[..i], Some(std), &l[i + n..]);
        match b[i] {
            b'J' if starts(i, "Jan") => {
                if starts(i, "January") {
                    return r(Std::LongMonth, 7);
                }
                if !lower_after(i + 3) {
                    return r(Std::Month, 3);
                }
            }
            b'M' => {
                if starts(i, "Mon") {
                    if starts(i, "Monday") {
                        return r(Std::LongWeekDay, 6);
                    }
                    if !lower_after(i + 3) {
                        return r(Std::WeekDay, 3);
                    }
                }
                if starts(i, "MST") {
                    return r(Std::Tz, 3);
                }
            }
            b'0' => {
                if let Some(&c) = b.get(i + 1)
                    && (b'1'..=b'6').contains(&c)
                {
                    let std = [
                        Std::ZeroMonth,
                        Std::ZeroDay,
                        Std::ZeroHour12,
                        Std::ZeroMinute,
                        Std::ZeroSecond,
                        Std::Year,
                    ][(c - b'1') as usize];
                    return r(std, 2);
                }
                if starts(i, "002") {
                    return r(Std::ZeroYearDay, 3);
                }
            }
            b'1' => {
                if b.get(i + 1) == Some(&b'5') {
                    return r(Std::Hour, 2);
                }
                return r(Std::NumMonth, 1);
            }
            b'2' => {
                if starts(i, "2006") {
                    return r(Std::LongYear, 4);
                }
                return r(Std::Day, 1);
            }
            b'_' => {
                if b.get(i + 1) == Some(&b'2') {
                    if starts(i + 1, "2006") {
                        return (&l[..i + 1], Some(Std::LongYear), &l[i + 5..]);
                    }
                    return r(Std::UnderDay, 2);
                }
                if starts(i, "__2") {
                    return r(Std::UnderYearDay, 3);
                }
            }
            b'3' => return r(Std::Hour12, 1),
            b'4' => return r(Std::Minute, 1),
            b'5' => return r(Std::Second, 1),
            b'P' if b.get(i + 1) == Some(&b'M') => return r(Std::PM, 2),
            b'p' if b.get(i + 1) == Some(&b'm') => return r(Std::Pm, 2),
            b'-' => {
                for (p, s) in [
                    ("-070000", Std::NumSecondsTz),
                    ("-07:00:00", Std::NumColonSecondsTz),
                    ("-0700", Std::NumTz),
                    ("-07:00", Std::NumColonTz),
                    ("-07", Std::NumShortTz),
                ] {
                    if starts(i, p) {
                        return r(s, p.len());
                    }
                }
            }
            b'Z' => {
                for (p, s) in [
                    ("Z070000", Std::Iso8601SecondsTz),
                    ("Z07:00:00", Std::Iso8601ColonSecondsTz),
                    ("Z0700", Std::Iso8601Tz),
                    ("Z07:00", Std::Iso8601ColonTz),
                    ("Z07", Std::Iso8601ShortTz),
                ] {
                    if starts(i, p) {
                        return r(s, p.len());
                    }
                }
            }
            b'.' | b',' => {
                if let Some(&ch) = b.get(i + 1)
                    && (ch == b'0' || ch == b'9')
                {
                    let mut j = i + 1;
                    while j < b.len() && b[j] == ch {
                        j += 1;
                    }
                    if !b.get(j).is_some_and(u8::is_ascii_digit) {
                        let std = Std::Frac(j - (i + 1), ch == b'9', b[i]);
                        return (&l[..i], Some(std), &l[j..]);
                    }
                }
            }
            _ => {}
        }
    }
    (l, None, "")
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
        out.push_str(&format!("{:0width$}", -v, width = width));
    } else {
        out.push_str(&format!("{:0width$}", v, width = width));
    }
}

/// `Time.Format` over local wall-clock seconds.
fn format_layout(layout: &str, local: i64, nsec: u32, offset: i32, abbr: &str) -> String {
    let days = local.div_euclid(86400);
    let sod = local.rem_euclid(86400);
    let (year, month, day) = civil_from_days(days);
    let (hour, min, sec) = (sod / 3600, sod % 3600 / 60, sod % 60);
    let yday = days - days_from_civil(year, 1, 1) + 1;
    let mut out = String::new();
    let mut l = layout;
    loop {
        let (prefix, std, suffix) = next_std(l);
        out.push_str(prefix);
        let Some(std) = std else { break };
        l = suffix;
        match std {
            Std::Year => pad(&mut out, year.rem_euclid(100), 2),
            Std::LongYear => pad(&mut out, year, 4),
            Std::Month => out.push_str(&MONTHS[(month - 1) as usize][..3]),
            Std::LongMonth => out.push_str(MONTHS[(month - 1) as usize]),
            Std::NumMonth => out.push_str(&month.to_string()),
            Std::ZeroMonth => pad(&mut out, month as i64, 2),
            Std::WeekDay => out.push_str(&DAYS[weekday(days)][..3]),
            Std::LongWeekDay => out.push_str(DAYS[weekday(days)]),
            Std::Day => out.push_str(&day.to_string()),
            Std::UnderDay => {
                if day < 10 {
                    out.push(' ');
                }
                out.push_str(&day.to_string());
            }
            Std::ZeroDay => pad(&mut out, day as i64, 2),
            Std::UnderYearDay => out.push_str(&format!("{yday:>3}")),
            Std::ZeroYearDay => pad(&mut out, yday, 3),
            Std::Hour => pad(&mut out, hour, 2),
            Std::Hour12 => out.push_str(&(if hour % 12 == 0 { 12 } else { hour % 12 }).to_string()),
            Std::ZeroHour12 => pad(&mut out, if hour % 12 == 0 { 12 } else { hour % 12 }, 2),
            Std::Minute => out.push_str(&min.to_string()),
            Std::ZeroMinute => pad(&mut out, min, 2),
            Std::Second => out.push_str(&sec.to_string()),
            Std::ZeroSecond => pad(&mut out, sec, 2),
            Std::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Std::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Std::Tz => {
                if !abbr.is_empty() {
                    out.push_str(abbr);
                } else {
                    let z = offset / 60;
                    out.push(if z < 0 { '-' } else { '+' });
                    pad(&mut out, (z.abs() / 60) as i64, 2);
                    pad(&mut out, (z.abs() % 60) as i64, 2);
                }
            }
            Std::Frac(n, trim, sep) => {
                let digits = format!("{nsec:09}");
                let mut d = &digits[..n.min(9)];
                if trim {
                    d = d.trim_end_matches('0');
                    if d.is_empty() {
                        continue;
                    }
                }
                out.push(sep as char);
                out.push_str(d);
            }
            tz => {
                let iso = matches!(
                    tz,
                    Std::Iso8601Tz
                        | Std::Iso8601ColonTz
                        | Std::Iso8601SecondsTz
                        | Std::Iso8601ShortTz
                        | Std::Iso8601ColonSecondsTz
                );
                if offset == 0 && iso {
                    out.push('Z');
                    continue;
                }
                let mut zone = offset / 60;
                let mut abs = offset;
                if zone < 0 {
                    out.push('-');
                    zone = -zone;
                    abs = -abs;
                } else {
                    out.push('+');
                }
                pad(&mut out, (zone / 60) as i64, 2);
                if matches!(
                    tz,
                    Std::Iso8601ColonTz
                        | Std::NumColonTz
                        | Std::Iso8601ColonSecondsTz
                        | Std::NumColonSecondsTz
                ) {
                    out.push(':');
                }
                if !matches!(tz, Std::NumShortTz | Std::Iso8601ShortTz) {
                    pad(&mut out, (zone % 60) as i64, 2);
                }
                if matches!(
                    tz,
                    Std::Iso8601SecondsTz
                        | Std::NumSecondsTz
                        | Std::NumColonSecondsTz
                        | Std::Iso8601ColonSecondsTz
                ) {
                    if matches!(tz, Std::NumColonSecondsTz | Std::Iso8601ColonSecondsTz) {
                        out.push(':');
                    }
                    pad(&mut out, (abs % 60) as i64, 2);
                }
            }
        }
    }
    out
}

/// Go's `skip`: literal layout text must match, but a space matches any run of spaces.
fn skip<'a>(value: &'a str, prefix: &str) -> Result<&'a str, ()> {
    let mut v = value;
    let mut p = prefix;
    while let Some(c) = p.chars().next() {
        if c == ' ' {
            if v.starts_with(|x: char| x != ' ') {
                return Err(());
            }
            p = p.trim_start_matches(' ');
            v = v.trim_start_matches(' ');
            continue;
        }
        if !v.starts_with(c) {
            return Err(());
        }
        p = &p[c.len_utf8()..];
        v = &v[c.len_utf8()..];
    }
    Ok(v)
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(v: &mut &str, fixed: bool) -> Option<i64> {
    let b = v.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        let n = (b[0] - b'0') as i64;
        *v = &v[1..];
        return Some(n);
    }
    let n = ((b[0] - b'0') * 10 + (b[1] - b'0')) as i64;
    *v = &v[2..];
    Some(n)
}

/// Go's `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(v: &mut &str, fixed: bool) -> Option<i64> {
    let n = v.bytes().take(3).take_while(u8::is_ascii_digit).count();
    if n == 0 || (fixed && n != 3) {
        return None;
    }
    let x = v[..n].parse().ok()?;
    *v = &v[n..];
    Some(x)
}

/// `time.ParseInLocation` (Go's `parse`): the layout elements, Go's flexible spaces, default
/// year 0, day-of-year, AM/PM, numeric zones and Go's error texts.
fn parse_time(layout: &str, value: &str, loc: &Rc<Zone>) -> Result<GoTime, String> {
    let q = crate::fmt::quote;
    let err = |elem: &str, val: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            q(value),
            q(layout),
            q(val),
            q(elem)
        )
    };
    let msg = |m: &str| format!("parsing time {}{m}", q(value));
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0u32);
    let (mut pm_set, mut am_set) = (false, false);
    let mut zone_off: Option<i32> = None;
    let mut l = layout;
    let mut v = value;
    let frac = |v: &mut &str, n: usize| -> Option<u32> {
        // v starts with the separator; n counts it
        let digits = &v[1..n];
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let padded = format!("{:0<9}", &digits[..digits.len().min(9)]);
        *v = &v[n..];
        padded.parse().ok()
    };
    loop {
        let (prefix, std, suffix) = next_std(l);
        let std_str = &l[prefix.len()..l.len() - suffix.len()];
        v = skip(v, prefix).map_err(|_| err(prefix, v))?;
        let Some(std) = std else {
            if !v.is_empty() {
                return Err(msg(&format!(": extra text: {}", q(v))));
            }
            break;
        };
        l = suffix;
        let hold = v;
        let bad = || err(std_str, hold);
        let mut range: Option<&str> = None;
        match std {
            Std::Year => {
                let p = v.get(..2).ok_or_else(bad)?;
                // Go's atoi: an optional sign, then digits ("-0" is 0)
                let digits = p.strip_prefix(['-', '+']).unwrap_or(p);
                if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(bad());
                }
                let y: i64 = p.parse().map_err(|_| bad())?;
                year = if y >= 69 { 1900 + y } else { 2000 + y };
                v = &v[2..];
            }
            Std::LongYear => {
                let p = v
                    .get(..4)
                    .filter(|p| p.as_bytes()[0].is_ascii_digit())
                    .ok_or_else(bad)?;
                year = p
                    .parse()
                    .ok()
                    .filter(|_| p.bytes().all(|c| c.is_ascii_digit()))
                    .ok_or_else(bad)?;
                v = &v[4..];
            }
            Std::Month | Std::LongMonth => {
                let found = MONTHS.iter().enumerate().find_map(|(i, name)| {
                    let cand = if std == Std::Month { &name[..3] } else { name };
                    (v.len() >= cand.len()
                        && v.is_char_boundary(cand.len())
                        && v[..cand.len()].eq_ignore_ascii_case(cand))
                    .then_some((i, cand.len()))
                });
                let (i, n) = found.ok_or_else(bad)?;
                month = i as i64 + 1;
                v = &v[n..];
            }
            Std::NumMonth | Std::ZeroMonth => {
                month = getnum(&mut v, std == Std::ZeroMonth).ok_or_else(bad)?;
                if !(1..=12).contains(&month) {
                    range = Some("month");
                }
            }
            Std::WeekDay | Std::LongWeekDay => {
                let found = DAYS.iter().find_map(|name| {
                    let cand = if std == Std::WeekDay {
                        &name[..3]
                    } else {
                        name
                    };
                    (v.len() >= cand.len()
                        && v.is_char_boundary(cand.len())
                        && v[..cand.len()].eq_ignore_ascii_case(cand))
                    .then_some(cand.len())
                });
                v = &v[found.ok_or_else(bad)?..];
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && v.starts_with(' ') {
                    v = &v[1..];
                }
                day = getnum(&mut v, std == Std::ZeroDay).ok_or_else(bad)?;
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && v.starts_with(' ') {
                        v = &v[1..];
                    }
                }
                yday = getnum3(&mut v, std == Std::ZeroYearDay).ok_or_else(bad)?;
            }
            Std::Hour => {
                hour = getnum(&mut v, false).ok_or_else(bad)?;
                if hour >= 24 {
                    range = Some("hour");
                }
            }
            Std::Hour12 | Std::ZeroHour12 => {
                hour = getnum(&mut v, std == Std::ZeroHour12).ok_or_else(bad)?;
                if hour > 12 {
                    range = Some("hour");
                }
            }
            Std::Minute | Std::ZeroMinute => {
                min = getnum(&mut v, std == Std::ZeroMinute).ok_or_else(bad)?;
                if min >= 60 {
                    range = Some("minute");
                }
            }
            Std::Second | Std::ZeroSecond => {
                sec = getnum(&mut v, std == Std::ZeroSecond).ok_or_else(bad)?;
                if sec >= 60 {
                    range = Some("second");
                } else if v.len() >= 2
                    && matches!(v.as_bytes()[0], b'.' | b',')
                    && v.as_bytes()[1].is_ascii_digit()
                    && !matches!(next_std(l).1, Some(Std::Frac(..)))
                {
                    // a fractional second the layout does not mention
                    let n = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    nsec = frac(&mut v, n).ok_or_else(bad)?;
                }
            }
            Std::PM | Std::Pm => {
                let p = v.get(..2).ok_or_else(bad)?;
                let (pmw, amw) = if std == Std::PM {
                    ("PM", "AM")
                } else {
                    ("pm", "am")
                };
                if p == pmw {
                    pm_set = true;
                } else if p == amw {
                    am_set = true;
                } else {
                    return Err(bad());
                }
                v = &v[2..];
            }
            Std::Frac(n, trim, _) => {
                if trim {
                    let b = v.as_bytes();
                    if b.len() < 2 || !matches!(b[0], b'.' | b',') || !b[1].is_ascii_digit() {
                        continue;
                    }
                    let k = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    nsec = frac(&mut v, k).ok_or_else(bad)?;
                } else {
                    if v.len() < n + 1 || !matches!(v.as_bytes()[0], b'.' | b',') {
                        return Err(bad());
                    }
                    nsec = frac(&mut v, n + 1).ok_or_else(bad)?;
                }
            }
            Std::Tz => {
                if v.len() >= 3 && &v[..3] == "UTC" {
                    zone_off = Some(0);
                    v = &v[3..];
                } else {
                    // Go's parseTimeZone: 3 upper-case letters, 4 ending in T (or WITA),
                    // 5 ending in T; ChST and MeST as special cases
                    let b = v.as_bytes();
                    let n = if v.starts_with("ChST") || v.starts_with("MeST") {
                        4
                    } else {
                        let upper = b
                            .iter()
                            .take(6)
                            .take_while(|c| c.is_ascii_uppercase())
                            .count();
                        match upper {
                            5 if b[4] == b'T' => 5,
                            4 if b[3] == b'T' || &v[..4] == "WITA" => 4,
                            3 => 3,
                            _ => 0,
                        }
                    };
                    if n == 0 {
                        return Err(bad());
                    }
                    v = &v[n..];
                }
            }
            _ => {
                let iso = matches!(
                    std,
                    Std::Iso8601Tz
                        | Std::Iso8601ColonTz
                        | Std::Iso8601SecondsTz
                        | Std::Iso8601ShortTz
                        | Std::Iso8601ColonSecondsTz
                );
                if iso && v.starts_with('Z') {
                    v = &v[1..];
                    zone_off = Some(0);
                    continue;
                }
                let sign = match v.as_bytes().first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(bad()),
                };
                let colon = matches!(
                    std,
                    Std::Iso8601ColonTz
                        | Std::NumColonTz
                        | Std::Iso8601ColonSecondsTz
                        | Std::NumColonSecondsTz
                );
                let short = matches!(std, Std::NumShortTz | Std::Iso8601ShortTz);
                let secs = matches!(
                    std,
                    Std::Iso8601SecondsTz
                        | Std::NumSecondsTz
                        | Std::NumColonSecondsTz
                        | Std::Iso8601ColonSecondsTz
                );
                let mut w = &v[1..];
                let two = |w: &mut &str| -> Option<i64> {
                    let p = w.get(..2)?;
                    if !p.bytes().all(|c| c.is_ascii_digit()) {
                        return None;
                    }
                    *w = &w[2..];
                    p.parse().ok()
                };
                let h = two(&mut w).ok_or_else(bad)?;
                let mut m = 0;
                let mut s2 = 0;
                if !short {
                    if colon {
                        w = w.strip_prefix(':').ok_or_else(bad)?;
                    }
                    m = two(&mut w).ok_or_else(bad)?;
                }
                if secs {
                    if colon {
                        w = w.strip_prefix(':').ok_or_else(bad)?;
                    }
                    s2 = two(&mut w).ok_or_else(bad)?;
                }
                if h > 24 || m >= 60 || s2 >= 60 {
                    range = Some("time zone offset");
                }
                v = w;
                zone_off = Some(sign * (h * 3600 + m * 60 + s2) as i32);
            }
        }
        if let Some(r) = range {
            return Err(msg(&format!(": {r} out of range")));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let mut m = 0i64;
        let mut d = 0i64;
        let mut yd = yday;
        if is_leap(year) {
            if yd == 31 + 29 {
                m = 2;
                d = 29;
            } else if yd > 31 + 29 {
                yd -= 1;
            }
        }
        if !(1..=365).contains(&yd) {
            return Err(msg(": day-of-year out of range"));
        }
        if m == 0 {
            const BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
            m = (yd - 1) / 31 + 1;
            if BEFORE[m as usize] < yd {
                m += 1;
            }
            d = yd - BEFORE[(m - 1) as usize];
        }
        if month >= 0 && month != m {
            return Err(msg(": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(msg(": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in_month(year, month as u32) as i64 {
        return Err(msg(": day out of range"));
    }
    let local =
        days_from_civil(year, month as u32, day as u32) * 86400 + hour * 3600 + min * 60 + sec;
    let (secs, zone) = match zone_off {
        Some(off) => {
            let secs = local - off as i64;
            let (loff, _) = loc.lookup(secs);
            if loff == off {
                (secs, loc.clone())
            } else {
                (secs, Zone::fixed(off, ""))
            }
        }
        None => {
            // wall clock in `loc`: guess with the offset at that instant, then correct
            let (o1, _) = loc.lookup(local);
            let secs = local - o1 as i64;
            let (o2, _) = loc.lookup(secs);
            (local - o2 as i64, loc.clone())
        }
    };
    Ok(GoTime::from_unix(secs, nsec, zone))
}

// ---------- durations ----------

/// `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let quoted = || format!("time: invalid duration {}", crate::fmt::quote(orig));
    let mut s = s;
    let mut neg = false;
    if let Some(r) = s.strip_prefix('-') {
        neg = true;
        s = r;
    } else if let Some(r) = s.strip_prefix('+') {
        s = r;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(quoted());
    }
    let mut total: f64 = 0.0;
    let mut total_i: i128 = 0;
    while !s.is_empty() {
        let n = s
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        if n == 0 || &s[..n] == "." {
            return Err(quoted());
        }
        let numtxt = &s[..n];
        s = &s[n..];
        let u = s
            .bytes()
            .take_while(|c| !(c.is_ascii_digit() || *c == b'.'))
            .count();
        if u == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                crate::fmt::quote(orig)
            ));
        }
        let unit = &s[..u];
        s = &s[u..];
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::fmt::quote(unit),
                    crate::fmt::quote(orig)
                ));
            }
        };
        let (ip, fp) = numtxt.split_once('.').unwrap_or((numtxt, ""));
        let iv: i128 = if ip.is_empty() {
            0
        } else {
            ip.parse().map_err(|_| quoted())?
        };
        total_i += iv * scale;
        if !fp.is_empty() {
            let f: f64 = format!("0.{fp}").parse().map_err(|_| quoted())?;
            total += f * scale as f64;
        }
        if total_i > i64::MAX as i128 + 1 {
            return Err(quoted());
        }
    }
    let v = total_i + total as i128;
    if v > i64::MAX as i128 + if neg { 1 } else { 0 } {
        return Err(quoted());
    }
    Ok(if neg { (-v) as i64 } else { v as i64 })
}

/// `Duration.Round(m)`.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            d + r
        } else {
            d.saturating_sub(m).saturating_add(r)
        }
    } else if r + r < m {
        d - r
    } else {
        d.saturating_add(m).saturating_sub(r)
    }
}

/// `Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`.
pub(crate) fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac(u, div));
        out.push_str(unit);
    } else {
        let h = u / 3_600_000_000_000;
        let rem = u % 3_600_000_000_000;
        let m = rem / 60_000_000_000;
        let s = rem % 60_000_000_000;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(s, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

fn frac(v: u64, div: u64) -> String {
    let whole = v / div;
    let f = v % div;
    if f == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let fs = format!("{f:0width$}");
    format!("{whole}.{}", fs.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let t = GoTime::from_unix(1_700_000_123, 45_000_000, Zone::utc());
        assert_eq!(
            t.format("2006-01-02T15:04:05.000Z07:00"),
            "2023-11-14T22:15:23.045Z"
        );
        assert_eq!(
            t.format("Mon Jan _2 3:4:5 PM MST 06 .999"),
            "Tue Nov 14 10:15:23 PM UTC 23 .045"
        );
        assert_eq!(
            t.format("January 2, 2006 -07:00 002"),
            "November 14, 2023 +00:00 318"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert!(parse_duration("bad").is_err());
        assert_eq!(format_duration(3_700_000_000_000), "1h1m40s");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(1_500_000), "1.5ms");
        assert_eq!(format_duration(-61_000_000_000), "-1m1s");
    }

    #[test]
    fn parse_roundtrip() {
        let t = parse_time(
            "2006-01-02T15:04:05Z07:00",
            "2024-03-05T10:20:30+02:00",
            &Zone::utc(),
        )
        .unwrap();
        assert_eq!(t.secs, 1_709_626_830);
        let t = parse_time("2006-01-02", "2024-03-05", &Zone::utc()).unwrap();
        assert_eq!(t.secs, 1_709_596_800);
        assert!(parse_time("2006-01-02", "x", &Zone::utc()).is_err());
    }
}
