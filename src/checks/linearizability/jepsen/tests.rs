use super::*;

const LOG: &str = "INFO  jepsen.core - starting\n\
INFO  jepsen.util - 0\t:invoke\t:write\t1\n\
INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]\n\
INFO  jepsen.util - 0\t:ok\t:write\t1\n\
INFO  jepsen.util - 1\t:ok\t:cas\t[1 2]\n\
INFO  jepsen.util - 2\t:invoke\t:write\t3\n\
INFO  jepsen.util - 2\t:info\t:write\t:timed-out\n\
INFO  jepsen.util - 0\t:invoke\t:cas\t[9 9]\n\
INFO  jepsen.util - 0\t:fail\t:cas\t[9 9]\n\
INFO  jepsen.util - 0\t:invoke\t:read\tnil\n\
INFO  jepsen.util - 0\t:ok\t:read\t3\n";

#[test]
fn log_lines_pair_by_process_with_info_and_fail() {
    let h = parse(LOG).unwrap();
    assert_eq!(h.failed, 1);
    assert_eq!(h.ops.len(), 4);
    assert_eq!(
        h.ops[1].value,
        Value::Vector(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(h.ops[1].ok.as_ref().map(|(_, line, _)| *line), Some(5));
    assert_eq!(h.ops[2].ok, None, "an :info write is indeterminate");
    assert_eq!(
        h.ops[3].ok.as_ref().map(|(v, ..)| v.clone()),
        Some(Value::Int(3))
    );
    // The :info write may have happened: the read of 3 is fine.
    assert_eq!(
        check(&h, ModelKind::Register, 1_000),
        Ok(Verdict::Linearizable)
    );
    // Without it, 3 was never written.
    let without = LOG.replace("\t:write\t3", "\t:write\t4");
    let h = parse(&without).unwrap();
    assert!(matches!(
        check(&h, ModelKind::Register, 1_000),
        Ok(Verdict::NotLinearizable { stuck: 3, .. })
    ));
}

#[test]
fn edn_maps_and_a_vector_of_them_read_alike() {
    let maps = "{:process 0, :type :invoke, :f :write, :value 1}\n\
                {:process 0, :type :ok, :f :write, :value 1, :time 12}\n\
                {:process :nemesis, :type :info, :f :start, :value nil}\n\
                {:process 1, :type :invoke, :f :read, :value nil}\n\
                {:process 1, :type :ok, :f :read, :value nil}\n";
    let h = parse(maps).unwrap();
    assert_eq!(detect(maps), Format::Edn);
    assert_eq!(h.ops.len(), 2);
    assert!(matches!(
        check(&h, ModelKind::Register, 1_000),
        Ok(Verdict::NotLinearizable { stuck: 1, .. })
    ));
    let vector = format!("[{maps}]");
    assert_eq!(parse(&vector).unwrap().ops, h.ops);
}

#[test]
fn kv_keys_come_from_the_key_or_an_independent_tuple() {
    let log = "INFO  jepsen.util - 0\t:invoke\t:put\t[\"x\" \"a\"]\n\
               INFO  jepsen.util - 0\t:ok\t:put\t[\"x\" \"a\"]\n\
               INFO  jepsen.util - 1\t:invoke\t:append\t[\"x\" 7]\n\
               INFO  jepsen.util - 1\t:ok\t:append\t[\"x\" 7]\n\
               INFO  jepsen.util - 2\t:invoke\t:get\t[\"x\" nil]\n\
               INFO  jepsen.util - 2\t:ok\t:get\t[\"x\" \"a7\"]\n";
    let h = parse(log).unwrap();
    assert_eq!(check(&h, ModelKind::Kv, 1_000), Ok(Verdict::Linearizable));
    let wrong = log.replace("\"a7\"", "\"7a\"");
    let h = parse(&wrong).unwrap();
    assert!(matches!(
        check(&h, ModelKind::Kv, 1_000),
        Ok(Verdict::NotLinearizable { key: Some(ref k), .. }) if k == "x"
    ));
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let cases = [
        (
            "INFO  jepsen.util - 0\t:invoke\t:write\t1\nhello\n",
            2,
            "a Jepsen log line",
        ),
        (
            "INFO  jepsen.util - x\t:invoke\t:write\t1\n",
            1,
            "a process number",
        ),
        (
            "INFO  jepsen.util - 0\t:begin\t:write\t1\n",
            1,
            "a type :invoke",
        ),
        (
            "INFO  jepsen.util - 0\t:invoke\t:write\n",
            1,
            "four tab-separated",
        ),
        (
            "INFO  jepsen.util - 0\t:ok\t:write\t1\n",
            1,
            "an :invoke from process 0",
        ),
        (
            "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:invoke\t:write\t2\n",
            2,
            "a completion for process 0's operation invoked at line 1",
        ),
        (
            "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:info\t:write\t1\n\
             INFO  jepsen.util - 0\t:invoke\t:read\tnil\n",
            3,
            "no more operations from process 0",
        ),
        (
            "INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:ok\t:read\t1\n",
            2,
            "the completion of :write",
        ),
        ("{:process 0, :type :invoke}\n", 1, "a `:f`"),
        (
            "{:process 0, :type :invoke, :f :read}\n\n[1]\n",
            3,
            "an operation map",
        ),
        (
            "[{:process 0, :type :invoke, :f :read}\n] 1",
            2,
            "nothing after",
        ),
        (
            "\n\n{:process 0, :type :invoke, :f :write, :value \"open\n",
            3,
            "closing `\"`",
        ),
        ("", 1, "at least one operation"),
    ];
    for (text, line, expected) in cases {
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, line, "{text:?}: {e}");
        assert!(e.expected.contains(expected), "{text:?}: {e}");
    }
    let cas = parse("INFO  jepsen.util - 0\t:invoke\t:cas\t1\n").unwrap();
    let e = check(&cas, ModelKind::Register, 10).unwrap_err();
    assert!(e.expected.contains("`[old new]`"), "{e}");
}

/// SplitMix64, for the mutations.
fn mix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn mutated_inputs_give_a_verdict_or_an_error_never_a_panic() {
    let edn = "{:process 0, :type :invoke, :f :cas, :value [1 2], :key \"k\"}\n\
               {:process 0, :type :ok, :f :cas, :value [1 2], :key \"k\"}\n";
    let pieces: [&[u8]; 12] = [
        b"[",
        b"{",
        b"\"",
        b"\t",
        b"\n",
        b"99999999999999999999999",
        b"nil",
        b":ok",
        b"#{",
        b"\xff",
        b"\\",
        b"-",
    ];
    let mut x = 7u64;
    for round in 0..20_000 {
        let base = if round % 2 == 0 {
            LOG.as_bytes()
        } else {
            edn.as_bytes()
        };
        let mut bytes = base.to_vec();
        for _ in 0..1 + mix(&mut x) % 4 {
            let at = (mix(&mut x) as usize) % (bytes.len() + 1);
            match mix(&mut x) % 3 {
                0 => {
                    let piece = pieces[(mix(&mut x) % pieces.len() as u64) as usize];
                    bytes.splice(at..at, piece.iter().copied());
                }
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(history) = parse(&text) {
            for model in [ModelKind::Register, ModelKind::Kv] {
                let _ = check(&history, model, 10_000);
            }
        }
    }
    // Deep nesting and huge input do not overflow the stack.
    let deep = format!(
        "{{:process 0, :type :invoke, :f :write, :value {}}}",
        "[".repeat(1 << 20)
    );
    assert!(parse(&deep).unwrap_err().expected.contains("nested"));
}
