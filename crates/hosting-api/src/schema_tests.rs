//! The OpenAPI schema of each checked field agrees with its validator on generated samples: what
//! the schema allows the validator accepts, what the schema refuses the validator refuses.
#![allow(clippy::unwrap_used)]

use fancy_regex::Regex;
use serde_json::{Value, json};
use utoipa::PartialSchema;

use crate::bases::TimeGrid;
use crate::types::*;
use crate::validate::{self, ValidationError};

/// SplitMix64: a small deterministic generator, so that a failure comes back at every run.
struct Samples(u64);

impl Samples {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % bound as u64).unwrap()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// A string of `length` characters, drawn from a random part of `alphabet` (so that some
    /// samples lack a whole class of characters, e.g. digits).
    fn text(&mut self, alphabet: &str, lengths: std::ops::RangeInclusive<usize>) -> String {
        let all: Vec<char> = alphabet.chars().collect();
        let mut part: Vec<char> = all.iter().copied().filter(|_| self.chance(60)).collect();
        if part.is_empty() {
            part = all;
        }
        let length = lengths.start() + self.below(lengths.end() - lengths.start() + 1);
        (0..length).map(|_| part[self.below(part.len())]).collect()
    }

    /// Spaces that the validators trim, sometimes.
    fn padded(&mut self, core: String) -> String {
        const SPACES: [&str; 6] = ["", "", " ", "\t", "\u{a0}", "\u{3000}\n"];
        let before = SPACES[self.below(SPACES.len())];
        let after = SPACES[self.below(SPACES.len())];
        format!("{before}{core}{after}")
    }

    /// A DNS label of about `length` characters, sometimes broken.
    fn label(&mut self, length: usize) -> String {
        let mut label = self.text("abcdefxyzABZ0189-", length..=length);
        if self.chance(10) {
            let at = self.below(label.len() + 1);
            let odd = self.pick(&["_", "é", "\u{212A}", " "]);
            label.insert_str(at, odd);
        }
        label
    }

    /// Labels joined by dots, `total` characters long (at least one label), sometimes with a
    /// label one character too long.
    fn domain(&mut self, total: usize, labels_at_least: usize) -> String {
        let mut labels = Vec::new();
        let mut remaining = total.max(1);
        while remaining > 0 {
            let most = (remaining / labels_at_least.saturating_sub(labels.len()).max(1)).max(1);
            let length = if self.chance(3) {
                64
            } else if self.chance(30) {
                most.min(63)
            } else {
                1 + self.below(most.min(63))
            };
            let length = length.min(remaining);
            labels.push(self.label(length));
            remaining = remaining.saturating_sub(length + 1);
        }
        labels.join(".")
    }
}

/// The schema of one property, with its pattern compiled once.
struct FieldSchema {
    name: String,
    schema: Value,
    pattern: Option<Regex>,
}

impl FieldSchema {
    fn of<T: PartialSchema>(type_name: &str, field: &str) -> FieldSchema {
        let schema = serde_json::to_value(T::schema()).unwrap()["properties"][field].clone();
        assert!(schema.is_object(), "{type_name}.{field} has no schema");
        let pattern = schema["pattern"]
            .as_str()
            .map(|pattern| Regex::new(pattern).unwrap());
        FieldSchema {
            name: format!("{type_name}.{field}"),
            schema,
            pattern,
        }
    }

    /// The field of the form of `T` whose `role` is `role` (a `oneOf` keyed by role).
    fn of_role<T: PartialSchema>(type_name: &str, role: Role, field: &str) -> FieldSchema {
        let schema = serde_json::to_value(T::schema()).unwrap();
        let form = schema["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .find(|form| form["properties"]["role"]["enum"] == json!([role.as_str()]))
            .unwrap();
        let schema = form["properties"][field].clone();
        assert!(schema.is_object(), "{type_name}.{field} has no schema");
        let pattern = schema["pattern"]
            .as_str()
            .map(|pattern| Regex::new(pattern).unwrap());
        FieldSchema {
            name: format!("{type_name}({}).{field}", role.as_str()),
            schema,
            pattern,
        }
    }

    fn has_type(&self, wanted: &str) -> bool {
        match &self.schema["type"] {
            Value::String(one) => one == wanted,
            Value::Array(many) => many.iter().any(|t| t == wanted),
            _ => false,
        }
    }

    /// What a JSON Schema validator says of `value` (type, lengths, pattern, range).
    fn allows(&self, value: &Value) -> bool {
        let schema = &self.schema;
        match value {
            Value::Null => self.has_type("null"),
            Value::String(text) => {
                let chars = text.chars().count() as u64;
                self.has_type("string")
                    && schema["minLength"].as_u64().is_none_or(|min| chars >= min)
                    && schema["maxLength"].as_u64().is_none_or(|max| chars <= max)
                    && self
                        .pattern
                        .as_ref()
                        .is_none_or(|pattern| pattern.is_match(text).unwrap())
            }
            Value::Number(number) => {
                let number = number.as_i64().unwrap();
                self.has_type("integer")
                    && schema["minimum"].as_i64().is_none_or(|min| number >= min)
                    && schema["maximum"].as_i64().is_none_or(|max| number <= max)
            }
            other => panic!("no sample of this shape: {other}"),
        }
    }
}

/// Checks every sample against the schema and the validator; both verdicts must occur.
fn agree(field: FieldSchema, samples: Vec<Value>, accepts: impl Fn(&Value) -> bool) {
    let (mut allowed, mut refused) = (0, 0);
    for sample in &samples {
        let schema_says = field.allows(sample);
        let validator_says = accepts(sample);
        assert_eq!(
            schema_says,
            validator_says,
            "{}: the schema {} {sample:?} but the validator {} it\nschema: {}",
            field.name,
            if schema_says { "allows" } else { "refuses" },
            if validator_says { "accepts" } else { "refuses" },
            field.schema
        );
        if schema_says {
            allowed += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        allowed >= 20 && refused >= 20,
        "{}: too few samples on one side ({allowed} allowed, {refused} refused)",
        field.name
    );
}

/// Checks every sample where the schema states only part of the rule (the rest is in its
/// description): what the validator accepts the schema allows; both verdicts of the validator
/// must occur, and the schema must refuse some samples too.
fn covers(field: FieldSchema, samples: Vec<Value>, accepts: impl Fn(&Value) -> bool) {
    let (mut accepted, mut refused, mut schema_refused) = (0, 0, 0);
    for sample in &samples {
        let schema_says = field.allows(sample);
        if accepts(sample) {
            assert!(
                schema_says,
                "{}: the validator accepts {sample:?} but the schema refuses it\nschema: {}",
                field.name, field.schema
            );
            accepted += 1;
        } else {
            refused += 1;
        }
        if !schema_says {
            schema_refused += 1;
        }
    }
    assert!(
        accepted >= 20 && refused >= 20 && schema_refused >= 5,
        "{}: too few samples on one side ({accepted} accepted, {refused} refused, {schema_refused} refused by the schema)",
        field.name
    );
}

/// A validator on a string field; `null` (an absent optional field) is not checked.
fn on_text<T>(validator: impl Fn(&str) -> Result<T, ValidationError>) -> impl Fn(&Value) -> bool {
    move |value| match value {
        Value::String(text) => validator(text).is_ok(),
        Value::Null => true,
        other => panic!("not a string sample: {other}"),
    }
}

const COUNT: usize = 3000;

fn strings(samples: &mut Samples, mut make: impl FnMut(&mut Samples) -> String) -> Vec<Value> {
    (0..COUNT).map(|_| Value::String(make(samples))).collect()
}

fn with_null(mut values: Vec<Value>) -> Vec<Value> {
    values.push(Value::Null);
    values
}

fn digit_strings(samples: &mut Samples) -> Vec<Value> {
    strings(samples, |s| {
        let core = s.text(
            "0123456789012345678901234567890123456789 a-\u{a0}\u{660}",
            0..=16,
        );
        s.padded(core)
    })
}

#[test]
fn schema_and_validators_agree_field_by_field() {
    let s = &mut Samples(0x5EED_0F0A);

    // Hosting and invoice numbers: digits around the length, spaces, letters, other digits.
    let numbers = digit_strings(s);
    agree(
        FieldSchema::of_role::<EnrollmentRequest>(
            "EnrollmentRequest",
            Role::Manager,
            "hosting_number",
        ),
        numbers.clone(),
        on_text(validate::hosting_number),
    );
    agree(
        FieldSchema::of::<ResendLoginsRequest>("ResendLoginsRequest", "hosting_number"),
        numbers.clone(),
        on_text(validate::hosting_number),
    );
    agree(
        FieldSchema::of_role::<EnrollmentRequest>(
            "EnrollmentRequest",
            Role::Superadmin,
            "invoice_number",
        ),
        numbers,
        on_text(validate::invoice_number),
    );

    // Names: letters, spaces inside and around, control characters, emoji; around 64.
    let names = strings(s, |s| {
        let core = s.text("Jean-Éloïse D'Arc 😀\u{7}\u{85}\u{a0}\t", 0..=68);
        s.padded(core)
    });
    for field in ["first_name", "surname"] {
        agree(
            FieldSchema::of::<NewUser>("NewUser", field),
            names.clone(),
            on_text(|text| validate::person_name(text, "first_name")),
        );
    }
    agree(
        FieldSchema::of_role::<EnrollmentRequest>(
            "EnrollmentRequest",
            Role::Manager,
            "workstation_name",
        ),
        names,
        on_text(validate::workstation_name),
    );

    // Usernames: a to z, digits, '.', '_', '-', case, the Kelvin sign, spaces; around 3 and 32.
    let usernames = strings(s, |s| {
        let core = s.text("abzABZ0189._-- @é\u{212A}", 0..=35);
        s.padded(core)
    });
    agree(
        FieldSchema::of::<NewUser>("NewUser", "username"),
        usernames.clone(),
        on_text(validate::username),
    );
    agree(
        FieldSchema::of_role::<EnrollmentRequest>(
            "EnrollmentRequest",
            Role::Superadmin,
            "username",
        ),
        usernames,
        on_text(validate::username),
    );

    // The console password: around 14 characters, spaces inside and around.
    let console_passwords = strings(s, |s| {
        let core = s.text("aZ3$é€😀 \t\u{3000}\u{7}", 12..=16);
        if s.chance(10) { s.padded(core) } else { core }
    });
    agree(
        FieldSchema::of_role::<EnrollmentRequest>("EnrollmentRequest", Role::Manager, "password"),
        console_passwords,
        on_text(validate::console_password),
    );

    // User passwords: around 10 and 128, with or without each class of characters. The username
    // "x" is too short to be looked for, as the schema cannot see the username. The schema has
    // the lengths; the classes are in its description.
    let passwords = strings(s, |s| s.text("abcxyzéABCXYZÉ0189 !$\t", 8..=130));
    covers(
        FieldSchema::of::<NewUser>("NewUser", "password"),
        passwords,
        on_text(|text| validate::user_password(text, "x")),
    );

    // Schedule names: letters of any script, digits, '-', '_', dots and spaces; around 32. The
    // schema has the length and no spaces inside; the classes are in its description.
    let schedule_names = strings(s, |s| {
        let core = s.text("planing01PLÉ_-٣.\u{2003}", 0..=35);
        s.padded(core)
    });
    covers(
        FieldSchema::of::<ScheduleUpdate>("ScheduleUpdate", "name"),
        with_null(schedule_names),
        on_text(validate::schedule_name),
    );

    // Domains: labels around 63, names around 253, trailing dots, spaces, bad characters.
    let domains = strings(s, |s| {
        let total = if s.chance(40) {
            validate::DOMAIN_MAX - 4 + s.below(9)
        } else {
            1 + s.below(40)
        };
        let mut name = s.domain(total, 1);
        if s.chance(15) {
            name.push_str(s.pick(&[".", "..", "-", " ."]));
        }
        if s.chance(5) {
            name = s.pick(&["", ".", "a..b", ".a", " "]).to_string();
        }
        s.padded(name)
    });
    agree(
        FieldSchema::of::<ControllerUpdate>("ControllerUpdate", "domain"),
        domains.clone(),
        on_text(validate::domain),
    );
    agree(
        FieldSchema::of::<ScheduleUpdate>("ScheduleUpdate", "domain"),
        with_null(domains),
        on_text(validate::domain),
    );

    // E-mail addresses: local parts around 64, totals around 254, one or two '@'.
    let emails = strings(s, |s| {
        let local = s.text("jean.dupont+éJDXY@ \u{1}", 0..=66);
        let local_chars = local.chars().count();
        // Sometimes the whole address is around the longest allowed.
        let total = if s.chance(40) {
            (validate::EMAIL_MAX + s.below(5)).saturating_sub(local_chars + 3)
        } else {
            3 + s.below(20)
        };
        let labels_at_least = if s.chance(90) { 2 } else { 1 };
        let domain = s.domain(total, labels_at_least);
        s.padded(format!("{local}@{domain}"))
    });
    agree(
        FieldSchema::of::<UserUpdate>("UserUpdate", "email"),
        with_null(emails),
        on_text(validate::email),
    );

    // Time zones: every zone in any case, padded, or changed by one character.
    let zones = strings(s, |s| {
        let zone = s.pick(&validate::TIME_ZONES);
        let mut zone: String = zone
            .chars()
            .map(|c| {
                if s.chance(30) {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        if s.chance(40) {
            let at = s.below(zone.len());
            zone.replace_range(at..=at, s.pick(&["", "x", "_", ".", "\u{212A}", " "]));
        }
        s.padded(zone)
    });
    agree(
        FieldSchema::of::<ScheduleUpdate>("ScheduleUpdate", "time_zone"),
        with_null(zones),
        on_text(validate::time_zone),
    );

    // Time grids, one field at a time, the others at their most lenient: starting at midnight,
    // one slot, of the shortest length.
    let lenient = TimeGrid {
        day_starts_at: "00:00".to_string(),
        slot_minutes: validate::SLOT_MINUTES.0,
        slots_per_day: 1,
    };
    let starts = strings(s, |s| {
        let digits = |s: &mut Samples, value: usize| match s.below(3) {
            0 => value.to_string(),
            1 => format!("{value:02}"),
            _ => format!("{value:03}"),
        };
        let hours = s.below(26);
        let minutes = s.below(62);
        let text = format!("{}:{}", digits(s, hours), digits(s, minutes));
        if s.chance(5) {
            s.pick(&["8h", "08-00", " 08:00", "+8:00", ":00", "08:", ""])
                .to_string()
        } else {
            text
        }
    });
    agree(
        FieldSchema::of::<TimeGrid>("TimeGrid", "day_starts_at"),
        starts,
        on_text(|text| {
            validate::time_grid(&TimeGrid {
                day_starts_at: text.to_string(),
                ..lenient.clone()
            })
        }),
    );
    let numbers: Vec<Value> = (0..COUNT)
        .map(|_| json!(s.below(320)))
        .chain([json!(u32::MAX)])
        .collect();
    agree(
        FieldSchema::of::<TimeGrid>("TimeGrid", "slot_minutes"),
        numbers.clone(),
        |value| {
            let minutes = u32::try_from(value.as_u64().unwrap()).unwrap();
            validate::time_grid(&TimeGrid {
                slot_minutes: minutes,
                ..lenient.clone()
            })
            .is_ok()
        },
    );
    agree(
        FieldSchema::of::<TimeGrid>("TimeGrid", "slots_per_day"),
        numbers,
        |value| {
            let slots = u32::try_from(value.as_u64().unwrap()).unwrap();
            validate::time_grid(&TimeGrid {
                slots_per_day: slots,
                ..lenient.clone()
            })
            .is_ok()
        },
    );
}
