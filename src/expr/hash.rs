//! `uniqueString()` (MurmurHash64 variant + base-32) and `guid()` (UUID v5), reference §6.

/// The 13-character `uniqueString` of the arguments joined with `-`.
pub fn unique_string(parts: &[&str]) -> String {
    let joined = parts.join("-");
    let hash = murmur64(joined.as_bytes());
    encode_base32(hash)
}

/// The `guid()` of the arguments joined with `-`: UUID v5 in namespace
/// `11fb06fb-712d-4ddd-98c7-e71bbd588830`.
pub fn guid(parts: &[&str]) -> String {
    const NS: uuid::Uuid = uuid::Uuid::from_bytes([
        0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88,
        0x30,
    ]);
    let joined = parts.join("-");
    uuid::Uuid::new_v5(&NS, joined.as_bytes())
        .hyphenated()
        .to_string()
}

fn fmix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

fn le(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .rev()
        .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
}

/// Microsoft's `MurmurHash64` (seed 0), as described in reference §6.1.
pub fn murmur64(d: &[u8]) -> u64 {
    const C1: u32 = 0x239b_961b;
    const C2: u32 = 0xab0e_9789;
    let n = d.len();
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut chunks = d.chunks_exact(8);
    for block in &mut chunks {
        let mut k1 = le(&block[0..4]);
        let mut k2 = le(&block[4..8]);
        k1 = k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 ^= k1;
        h1 = h1.rotate_left(19).wrapping_add(h2);
        h1 = h1.wrapping_mul(5).wrapping_add(0x561c_cd1b);
        k2 = k2.wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        h2 ^= k2;
        h2 = h2.rotate_left(13).wrapping_add(h1);
        h2 = h2.wrapping_mul(5).wrapping_add(0x0bca_a747);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let k1 = le(&tail[..tail.len().min(4)])
            .wrapping_mul(C1)
            .rotate_left(15)
            .wrapping_mul(C2);
        h1 ^= k1;
        if tail.len() > 4 {
            let k2 = le(&tail[4..])
                .wrapping_mul(C2)
                .rotate_left(17)
                .wrapping_mul(C1);
            h2 ^= k2;
        }
    }
    let len = n as u32;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

fn encode_base32(mut hash: u64) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(ALPHABET[(hash >> 59) as usize] as char);
        hash <<= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_string_vectors() {
        let cases: &[(&[&str], &str)] = &[
            (&["hello", "world"], "a7wkljktk6wne"),
            (&["aaa"], "zavj67f3en4hc"),
            (&["bbb"], "w5eragfxe33cy"),
            (&["zzz"], "cryksdzzzawae"),
            (&["xxx", "yyy", "zzz"], "lghi7k5js7itq"),
            (&["test"], "rbgf3xv4ufgzg"),
            (&["tyeth"], "zcztcwvu6iyg6"),
            (&["snap", "crackle", "pop"], "byghxckddilkc"),
            (
                &[
                    "/subscriptions/00000000-0000-0000-0000-000000000000",
                    "resource-id",
                ],
                "cwvxuqg24sifi",
            ),
            (&["a"], "eveiun73364hy"),
            (&[""], "aaaaaaaaaaaaa"),
        ];
        for (input, want) in cases {
            assert_eq!(unique_string(input), *want, "uniqueString{input:?}");
        }
        assert_eq!(murmur64(b"hello-world"), 571013382255652050);
    }

    #[test]
    fn guid_vectors() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["foo", "bar", "baz"],
                "2ed86837-7c7c-5eaa-9864-dd077fd19b0d",
            ),
            (&["a"], "3703365d-5a9f-59b4-bca7-b9681389e4c1"),
            (&["a", "b"], "2d796349-8c7e-55ec-9624-54ece82ed031"),
            (&["hello", "world"], "a5b868f8-11fe-567a-ace0-e77cc87f104e"),
        ];
        for (input, want) in cases {
            assert_eq!(guid(input), *want, "guid{input:?}");
        }
    }
}
