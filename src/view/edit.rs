//! An edit of a node's text (`Protocol::editable_text`) as the requests that make it: the text
//! between the common beginning and the common end of the old and the new text is deleted, and
//! the new text put in its place. Positions count characters, not bytes.

use serde_json::{Value, json};

/// The requests that turn `old` into `new`: a delete, an insert, both, or none when they are
/// equal. `{"delete": {"at": 2, "len": 3}}` comes before `{"insert": {"at": 2, "text": "xy"}}`.
pub fn requests(old: &str, new: &str) -> Vec<Value> {
    let old: Vec<char> = old.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let end = old[start..]
        .iter()
        .rev()
        .zip(new[start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let removed = old.len() - start - end;
    let added: String = new[start..new.len() - end].iter().collect();
    let mut requests = Vec::new();
    if removed > 0 {
        requests.push(json!({"delete": {"at": start, "len": removed}}));
    }
    if !added.is_empty() {
        requests.push(json!({"insert": {"at": start, "text": added}}));
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::requests;
    use serde_json::json;

    #[test]
    fn an_edit_is_a_delete_and_an_insert_between_the_common_ends() {
        assert!(requests("cat", "cat").is_empty());
        assert_eq!(
            requests("cat", "cat sat"),
            [json!({"insert": {"at": 3, "text": " sat"}})]
        );
        assert_eq!(
            requests("cat sat", "at"),
            [json!({"delete": {"at": 0, "len": 5}})]
        );
        assert_eq!(
            requests("hello", "help!"),
            [
                json!({"delete": {"at": 3, "len": 2}}),
                json!({"insert": {"at": 3, "text": "p!"}})
            ]
        );
        // Repeated letters: the common end never overlaps the common beginning.
        assert_eq!(
            requests("aa", "aaa"),
            [json!({"insert": {"at": 2, "text": "a"}})]
        );
        assert_eq!(
            requests("aaa", "a"),
            [json!({"delete": {"at": 1, "len": 2}})]
        );
        // Characters, not bytes.
        assert_eq!(
            requests("été", "étét"),
            [json!({"insert": {"at": 3, "text": "t"}})]
        );
    }
}
