//! One answer of a paging route, gathered from as many vault pages as it takes to fill it: at most
//! `max_items` items and [`PageLimits::max_bytes`] bytes of item JSON, and at most
//! [`PageLimits::max_vault_calls`] vault calls.
//!
//! An answer is always made of whole vault pages, and its `nextPage` is the cursor of the last vault page it
//! took: a vault cursor is the only position a walk can resume from (DynamoDB pages are scan-ordered, so no
//! position inside a page can be made up). When a vault page would overflow the byte limit, it is dropped
//! and asked for again with half the items. A single item larger than the limit goes out alone (the vault
//! bounds an item at 400 KB, well under the Lambda limit). Owns no HTTP beyond writing the body.

use std::future::Future;

use axum::response::{IntoResponse, Response};
use cis_identity_vault::{Cursor, Page, VaultResult};
use http::header::CONTENT_TYPE;

use crate::error::PersonApiError;
use crate::state::PageLimits;

/// The items of one answer, each already JSON, and the vault cursor to continue from.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Gathered {
    pub items: Vec<Vec<u8>>,
    pub next: Option<Cursor>,
}

/// Gathers one answer from `start`. `fetch(cursor, limit)` reads one vault page; `render` turns an item into
/// its JSON, or `None` to leave it out (the caller may not see it).
pub async fn gather<T, F, Fut, R>(
    limits: &PageLimits,
    max_items: usize,
    start: Option<Cursor>,
    mut fetch: F,
    render: R,
) -> Result<Gathered, PersonApiError>
where
    T: Send,
    F: FnMut(Option<Cursor>, usize) -> Fut,
    Fut: Future<Output = VaultResult<Page<T>>>,
    R: Fn(T) -> Result<Option<Vec<u8>>, PersonApiError> + Sync,
{
    let max_items = max_items.max(1);
    let mut items: Vec<Vec<u8>> = Vec::new();
    let mut used = 0usize;
    let mut cursor = start;
    let mut ask = limits.first_chunk.clamp(1, max_items);
    for _ in 0..limits.max_vault_calls.max(1) {
        let room = max_items - items.len();
        if room == 0 {
            break;
        }
        let page = fetch(cursor.clone(), ask.clamp(1, room)).await?;
        let fetched = page.items.len();
        let rendered = render_page(page.items, &render)?;
        let size: usize = rendered.iter().map(|json| json.len() + 1).sum();
        if used + size > limits.max_bytes {
            if fetched > 1 {
                ask = fetched / 2;
                continue;
            }
            if !items.is_empty() {
                return Ok(Gathered {
                    items,
                    next: cursor,
                });
            }
        }
        used += size;
        items.extend(rendered);
        cursor = page.next;
        if cursor.is_none() {
            return Ok(Gathered { items, next: None });
        }
        if !items.is_empty() {
            // Size the next vault page from the bytes per item so far, with a quarter of headroom.
            let per_item = (used / items.len()).max(1);
            let left = limits.max_bytes.saturating_sub(used);
            if left < per_item {
                break;
            }
            ask = left / (per_item + per_item / 4).max(1);
        }
    }
    Ok(Gathered {
        items,
        next: cursor,
    })
}

/// Pages at least this long are rendered on every core (filtering a profile costs ≈ 0.1 ms).
const SPREAD_FROM: usize = 32;

/// Renders a vault page's items in order; a long page is split into one run per core (scoped threads),
/// since filtering profiles is CPU work the answer waits for. The first error wins.
fn render_page<T, R>(items: Vec<T>, render: &R) -> Result<Vec<Vec<u8>>, PersonApiError>
where
    T: Send,
    R: Fn(T) -> Result<Option<Vec<u8>>, PersonApiError> + Sync,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if cores < 2 || items.len() < SPREAD_FROM {
        return render_run(items, render);
    }
    let run = items.len().div_ceil(cores);
    let mut runs = Vec::with_capacity(cores);
    let mut rest = items;
    while rest.len() > run {
        let tail = rest.split_off(run);
        runs.push(std::mem::replace(&mut rest, tail));
    }
    runs.push(rest);
    let first = runs.remove(0);
    let outcomes = std::thread::scope(|scope| {
        let others: Vec<_> = runs
            .into_iter()
            .map(|items| scope.spawn(move || render_run(items, render)))
            .collect();
        let mut outcomes = vec![render_run(first, render)];
        for other in others {
            outcomes.push(other.join().unwrap_or_else(|_| {
                Err(PersonApiError::Internal("rendering a page failed".into()))
            }));
        }
        outcomes
    });
    let mut rendered = Vec::new();
    for outcome in outcomes {
        rendered.extend(outcome?);
    }
    Ok(rendered)
}

fn render_run<T, R>(items: Vec<T>, render: &R) -> Result<Vec<Vec<u8>>, PersonApiError>
where
    R: Fn(T) -> Result<Option<Vec<u8>>, PersonApiError>,
{
    let mut rendered = Vec::with_capacity(items.len());
    for item in items {
        if let Some(json) = render(item)? {
            rendered.push(json);
        }
    }
    Ok(rendered)
}

/// The answer `{"<key>": [<items>], "nextPage": {"id": "<token>"} | null}` as `application/json`: the
/// original's object shape, which real clients deserialise (docs/contract/decisions.md §3.5).
pub fn page_response(key: &str, items: &[Vec<u8>], next_page: Option<String>) -> Response {
    let size: usize = items.iter().map(|json| json.len() + 1).sum();
    let mut body = Vec::with_capacity(size + key.len() + 128);
    body.push(b'{');
    push_json(&mut body, &key);
    body.extend_from_slice(b":[");
    for (i, json) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(json);
    }
    body.extend_from_slice(b"],\"nextPage\":");
    match &next_page {
        Some(token) => {
            body.extend_from_slice(b"{\"id\":");
            push_json(&mut body, token);
            body.push(b'}');
        }
        None => body.extend_from_slice(b"null"),
    }
    body.push(b'}');
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

fn push_json<T: serde::Serialize + ?Sized>(body: &mut Vec<u8>, value: &T) {
    // Strings and options of strings always serialise.
    if serde_json::to_writer(&mut *body, value).is_err() {
        body.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A vault of `sizes.len()` items (item i renders to `sizes[i]` bytes) paged by index.
    fn fake_fetch(
        sizes: &[usize],
        calls: &RefCell<Vec<(usize, usize)>>,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> VaultResult<Page<usize>> {
        let start = cursor.map_or(0, |c| c.0.parse::<usize>().unwrap());
        calls.borrow_mut().push((start, limit));
        let end = (start + limit).min(sizes.len());
        let items = (start..end).map(|i| sizes[i]).collect();
        let next = (end < sizes.len()).then(|| Cursor(end.to_string()));
        Ok(Page { items, next })
    }

    fn limits(max_bytes: usize) -> PageLimits {
        PageLimits {
            max_bytes,
            max_vault_calls: 8,
            first_chunk: 4,
            ..PageLimits::default()
        }
    }

    async fn run(
        sizes: &[usize],
        limits: &PageLimits,
        max_items: usize,
        start: Option<Cursor>,
    ) -> (Gathered, Vec<(usize, usize)>) {
        let calls = RefCell::new(Vec::new());
        let gathered = gather(
            limits,
            max_items,
            start,
            |cursor, limit| std::future::ready(fake_fetch(sizes, &calls, cursor, limit)),
            |size| Ok(Some(vec![b'x'; size])),
        )
        .await
        .unwrap();
        (gathered, calls.into_inner())
    }

    #[tokio::test]
    async fn small_items_fill_the_answer_up_to_the_item_limit() {
        let sizes = vec![10; 100];
        let (gathered, _) = run(&sizes, &limits(1_000_000), 30, None).await;
        assert_eq!(gathered.items.len(), 30);
        assert_eq!(gathered.next, Some(Cursor("30".into())));
    }

    #[tokio::test]
    async fn the_byte_limit_ends_an_answer_and_every_item_is_visited_once() {
        let sizes: Vec<usize> = (0..200)
            .map(|i| if i % 17 == 0 { 900 } else { 50 })
            .collect();
        let limits = limits(2_000);
        let mut seen = 0;
        let mut cursor = None;
        loop {
            let (gathered, _) = run(&sizes, &limits, 500, cursor).await;
            let bytes: usize = gathered.items.iter().map(|i| i.len() + 1).sum();
            assert!(bytes <= 2_000 || gathered.items.len() == 1, "{bytes}");
            assert!(!gathered.items.is_empty());
            seen += gathered.items.len();
            cursor = gathered.next;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(seen, sizes.len());
    }

    #[tokio::test]
    async fn a_single_item_over_the_limit_goes_out_alone() {
        let sizes = vec![5_000, 10, 10];
        let (gathered, _) = run(&sizes, &limits(1_000), 10, None).await;
        assert_eq!(gathered.items.len(), 1);
        assert_eq!(gathered.next, Some(Cursor("1".into())));
    }

    #[tokio::test]
    async fn an_overflowing_vault_page_is_asked_for_again_smaller() {
        let sizes = vec![400; 10];
        let (gathered, calls) = run(&sizes, &limits(1_000), 10, None).await;
        assert_eq!(gathered.items.len(), 2);
        assert_eq!(calls[0], (0, 4));
        assert_eq!(calls[1], (0, 2));
        assert_eq!(gathered.next, Some(Cursor("2".into())));
    }

    #[tokio::test]
    async fn vault_calls_are_bounded() {
        let sizes = vec![10; 1000];
        let limits = PageLimits {
            max_vault_calls: 2,
            first_chunk: 3,
            ..limits(40)
        };
        let (gathered, calls) = run(&sizes, &limits, 1000, None).await;
        assert!(calls.len() <= 2);
        assert!(gathered.next.is_some());
    }

    #[test]
    fn a_long_page_is_rendered_in_order_without_what_is_left_out_and_fails_on_any_error() {
        let items: Vec<usize> = (0..1_000).collect();
        let kept = render_page(items.clone(), &|i: usize| {
            Ok((!i.is_multiple_of(3)).then(|| i.to_string().into_bytes()))
        })
        .unwrap();
        let expected: Vec<Vec<u8>> = items
            .iter()
            .filter(|i| !i.is_multiple_of(3))
            .map(|i| i.to_string().into_bytes())
            .collect();
        assert_eq!(kept, expected);
        let failed = render_page(items, &|i: usize| {
            if i == 999 {
                Err(PersonApiError::Internal("item 999".into()))
            } else {
                Ok(Some(vec![]))
            }
        });
        assert!(matches!(failed, Err(PersonApiError::Internal(m)) if m == "item 999"));
    }

    #[test]
    fn the_body_joins_the_items() {
        let response = page_response("Items", &[b"1".to_vec(), b"{}".to_vec()], Some("t".into()));
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        let mut body = Vec::new();
        push_json(&mut body, &None::<String>);
        assert_eq!(body, b"null");
    }
}
