;; Reads whitespace-separated integers (optionally negative) from stdin and prints their sum.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0..7 iovec, 8..11 byte count, 16..47 digits, 1024.. input chunk (64 KiB)

  (func $write (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $print_i64 (param $v i64) (local $p i32) (local $neg i32) (local $u i64)
    (local.set $p (i32.const 47))
    (i32.store8 (local.get $p) (i32.const 10))
    (local.set $neg (i64.lt_s (local.get $v) (i64.const 0)))
    (local.set $u (select (i64.sub (i64.const 0) (local.get $v)) (local.get $v) (local.get $neg)))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 10)))))
      (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $u) (i64.const 0))))
    (if (local.get $neg)
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (call $write (local.get $p) (i32.sub (i32.const 48) (local.get $p))))

  (func (export "_start")
    (local $n i32) (local $i i32) (local $c i32) (local $sum i64) (local $cur i64) (local $neg i32) (local $in i32)
    (block $eof
      (loop $read
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.const 65536))
        (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $eof (i32.eqz (local.get $n)))
        (local.set $i (i32.const 0))
        (block $done
          (loop $chars
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $c (i32.load8_u offset=1024 (local.get $i)))
            (if (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10))
              (then
                (local.set $cur
                  (i64.add (i64.mul (local.get $cur) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
                (local.set $in (i32.const 1)))
              (else
                (if (local.get $in)
                  (then
                    (local.set $sum
                      (i64.add (local.get $sum)
                        (select (i64.sub (i64.const 0) (local.get $cur)) (local.get $cur) (local.get $neg))))))
                (local.set $in (i32.const 0))
                (local.set $cur (i64.const 0))
                (local.set $neg (i32.eq (local.get $c) (i32.const 45)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $chars)))
        (br $read)))
    (if (local.get $in)
      (then
        (local.set $sum
          (i64.add (local.get $sum) (select (i64.sub (i64.const 0) (local.get $cur)) (local.get $cur) (local.get $neg))))))
    (call $print_i64 (local.get $sum))))
