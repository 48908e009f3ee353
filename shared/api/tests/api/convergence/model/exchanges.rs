//! The timelines' exchanges: opened before 1C reads its books or begun by their first part,
//! their parts sent in any order, again, and with other imports between them.

use super::*;

impl Case {
    pub(super) async fn start_exchange(&mut self) {
        if self.exchanges.iter().filter(|e| !e.removed).count() >= 2 {
            return;
        }
        let period = self.rng.usize(0..PERIODS.len());
        let count = self.rng.usize(1..4);
        // Half the time 1C opens the exchange before it reads its books: what its removal
        // counts from.
        let opened = self.rng.bool();
        let (guid, began) = if opened {
            let (from, to) = PERIODS[period];
            let opening = json!({"kind": "transactions", "from": from, "to": to, "parts": count});
            let now = self.now();
            let (status, answer) = self.app.post_exchange(opening).await;
            if status != 201 {
                self.fail(&format!("opening answered {status} {answer}"));
            }
            let guid: Guid = serde_json::from_value(answer["data"]["exchange"].clone()).unwrap();
            (guid, Some(now))
        } else {
            (Guid::random(), None)
        };
        let items: Vec<Version> = self
            .books
            .values()
            .filter(|v| v.in_period(PERIODS[period]))
            .cloned()
            .collect();
        let mut parts = vec![Vec::new(); count];
        for item in items {
            parts[self.rng.usize(0..count)].push(item);
        }
        self.log.push(format!(
            "exchange {guid}{} of {:?} cut into {count} parts of {:?} items",
            if opened { ", opened first," } else { "" },
            PERIODS[period],
            parts.iter().map(Vec::len).collect::<Vec<_>>()
        ));
        self.exchanges.push(Exchange {
            guid,
            period,
            parts,
            sent: BTreeSet::new(),
            began,
            opened,
            removed: false,
        });
    }

    /// Sends a part not sent yet (or, `again`, one already sent) of an exchange.
    pub(super) async fn send_part(&mut self, again: bool) {
        let choices: Vec<(usize, usize)> = self
            .exchanges
            .iter()
            .enumerate()
            .flat_map(|(e, x)| {
                (0..x.parts.len())
                    .filter(move |p| x.sent.contains(p) == again)
                    .map(move |p| (e, p))
            })
            .collect();
        if choices.is_empty() {
            return;
        }
        let (e, p) = choices[self.rng.usize(0..choices.len())];
        let exchange = &self.exchanges[e];
        let (from, to) = PERIODS[exchange.period];
        let (guid, count) = (exchange.guid.to_string(), exchange.parts.len().to_string());
        let number = (p + 1).to_string();
        let items = exchange.parts[p].clone();
        self.log.push(format!(
            "exchange {guid} part {number} of {count}{}",
            if again { ", sent again" } else { "" }
        ));
        let whole = [
            ("from", from),
            ("to", to),
            ("exchange", guid.as_str()),
            ("part", number.as_str()),
            ("parts", count.as_str()),
        ];
        // A part of an opened exchange may name only the exchange and the part.
        let query = if exchange.opened && self.rng.bool() {
            &whole[2..4]
        } else {
            &whole[..]
        };
        let now = self.now();
        let removed = self.post(&items, query).await;
        let exchange = &mut self.exchanges[e];
        exchange.began.get_or_insert(now);
        exchange.sent.insert(p);
        if exchange.sent.len() == exchange.parts.len() && !exchange.removed {
            exchange.removed = true;
            let contained = exchange
                .parts
                .iter()
                .flat_map(|part| keyed(part).into_iter().map(|(i, _)| i))
                .collect();
            let (period, began) = (exchange.period, exchange.began.unwrap_or(now));
            let expected = self.complete(period, &contained, began);
            self.check_removed(removed, expected);
        } else if removed.is_some_and(|r| r.is_some()) {
            self.fail("a part that did not complete its exchange removed items");
        }
        self.check_store().await;
    }
}
