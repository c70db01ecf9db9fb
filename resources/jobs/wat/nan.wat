;; Float determinism probe: stores NaN-producing results and prints their bits in hex. Without NaN
;; canonicalisation the bits depend on the CPU (x86 produces negative "default" NaNs, ARM positive ones,
;; signalling payloads are quieted differently); the runtime must print the same canonical bits everywhere.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0..7 iovec, 8..11 count, 64..111 results (6 × 8 bytes), 256.. hex text

  (func $nan32 (param $x f32) (result f32) (f32.div (local.get $x) (local.get $x)))

  (func (export "_start") (local $i i32) (local $b i32)
    (f32.store (i32.const 64) (call $nan32 (f32.const 0)))
    (f64.store (i32.const 72) (f64.sqrt (f64.const -1)))
    (f32.store (i32.const 80) (f32.add (f32.reinterpret_i32 (i32.const 0x7fa00001)) (f32.const 1)))
    (i32.store (i32.const 88) (i32.reinterpret_f32 (f32.sub (f32.const inf) (f32.const inf))))
    (i64.store (i32.const 96) (i64.reinterpret_f64 (f64.copysign (f64.const 1) (f64.promote_f32 (call $nan32 (f32.const 0))))))
    (f64.store (i32.const 104) (f64.mul (f64.const -nan:0x4) (f64.const 2)))
    ;; 48 bytes → 96 hex characters + newline
    (loop $hex
      (local.set $b (i32.load8_u offset=64 (local.get $i)))
      (i32.store8 offset=256 (i32.shl (local.get $i) (i32.const 1)) (call $digit (i32.shr_u (local.get $b) (i32.const 4))))
      (i32.store8 offset=257 (i32.shl (local.get $i) (i32.const 1)) (call $digit (i32.and (local.get $b) (i32.const 15))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $hex (i32.lt_u (local.get $i) (i32.const 48))))
    (i32.store8 (i32.const 352) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 256))
    (i32.store (i32.const 4) (i32.const 97))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $digit (param $n i32) (result i32)
    (i32.add (local.get $n) (select (i32.const 48) (i32.const 87) (i32.lt_u (local.get $n) (i32.const 10))))))
