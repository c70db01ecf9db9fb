;; A SHA-like CPU kernel: mixes every stdin byte into a 64-bit state for 1000 rounds
;; (h = rotl(h xor byte, 13) * 0x9e3779b97f4a7c15 + round) and prints the state as 16 hex digits.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  ;; 0..7 iovec, 8..11 byte count, 16..32 hex digits, 1024.. input (at most 192 KiB)

  (func (export "_start") (local $len i32) (local $n i32) (local $r i32) (local $i i32) (local $h i64) (local $k i32)
    (block $eof
      (loop $read
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $len)))
        (i32.store (i32.const 4) (i32.sub (i32.const 196608) (local.get $len)))
        (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $eof (i32.eqz (local.get $n)))
        (local.set $len (i32.add (local.get $len) (local.get $n)))
        (br_if $read (i32.lt_u (local.get $len) (i32.const 196608)))))
    (local.set $h (i64.const 0x6a09e667f3bcc908))
    (loop $rounds
      (local.set $i (i32.const 0))
      (block $done
        (loop $bytes
          (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
          (local.set $h
            (i64.add
              (i64.mul
                (i64.rotl (i64.xor (local.get $h) (i64.load8_u offset=1024 (local.get $i))) (i64.const 13))
                (i64.const 0x9e3779b97f4a7c15))
              (i64.extend_i32_u (local.get $r))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br_if $rounds (i32.lt_u (local.get $r) (i32.const 1000))))
    (loop $hex
      (local.set $n (i32.wrap_i64 (i64.and (i64.shr_u (local.get $h) (i64.extend_i32_u (i32.sub (i32.const 60) (i32.shl (local.get $k) (i32.const 2))))) (i64.const 15))))
      (i32.store8 offset=16 (local.get $k) (i32.add (local.get $n) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $n) (i32.const 10)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $k) (i32.const 16))))
    (i32.store8 (i32.const 32) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 17))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
