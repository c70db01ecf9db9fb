;; A hand-written policy against the icn host ABI v1 (core/runtime/abi.ts) that calls every host import.
;; Strings are (ptr, len) pairs; constants live in the data segment below.
(module
  (import "icn" "abi_version" (func $abi_version (result i32)))
  (import "icn" "now" (func $now (result i64)))
  (import "icn" "param_int" (func $param_int (param i32 i32 i64) (result i64)))
  (import "icn" "param_list_contains" (func $param_list_contains (param i32 i32 i32 i32) (result i32)))
  (import "icn" "balance" (func $balance (param i32 i32) (result i64)))
  (import "icn" "reputation" (func $reputation (param i32 i32) (result i64)))
  (import "icn" "is_member" (func $is_member (param i32 i32) (result i32)))
  (import "icn" "member_since" (func $member_since (param i32 i32) (result i64)))
  (import "icn" "has_role" (func $has_role (param i32 i32 i32 i32) (result i32)))
  (import "icn" "member_count" (func $member_count (result i64)))
  (import "icn" "log" (func $log (param i32 i32)))

  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))

  (data (i32.const 16) "proposer")             ;; 16, 8
  (data (i32.const 32) "open_kinds")           ;; 32, 10
  (data (i32.const 48) "min_membership_ms")    ;; 48, 17
  (data (i32.const 80) "max_weight")           ;; 80, 10
  (data (i32.const 96) "quorum_pct")           ;; 96, 10
  (data (i32.const 112) "threshold_pct")       ;; 112, 13
  (data (i32.const 128) "steward")             ;; 128, 7
  (data (i32.const 144) "min_reputation")      ;; 144, 14
  (data (i32.const 160) "max_fuel")            ;; 160, 8
  (data (i32.const 176) "can_propose called")  ;; 176, 18

  ;; Bump allocator: the host copies string arguments into what it returns.
  (func (export "icn_alloc") (param $len i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $len)))
    (local.get $p))

  ;; A member may propose if they hold the "proposer" role or the kind is open, and they have been a member
  ;; for at least min_membership_ms.
  (func (export "can_propose") (param $did i32) (param $did_len i32) (param $kind i32) (param $kind_len i32) (result i32)
    (call $log (i32.const 176) (i32.const 18))
    (if (i32.eqz (call $is_member (local.get $did) (local.get $did_len))) (then (return (i32.const 0))))
    (if (i64.lt_s
          (i64.sub (call $now) (call $member_since (local.get $did) (local.get $did_len)))
          (call $param_int (i32.const 48) (i32.const 17) (i64.const 0)))
      (then (return (i32.const 0))))
    (i32.or
      (call $has_role (local.get $did) (local.get $did_len) (i32.const 16) (i32.const 8))
      (call $param_list_contains (i32.const 32) (i32.const 10) (local.get $kind) (local.get $kind_len))))

  ;; Weight = 1 + reputation / 100, capped at max_weight; non-members weigh 0.
  (func (export "vote_weight") (param $did i32) (param $len i32) (result i64) (local $w i64) (local $cap i64)
    (if (i32.eqz (call $is_member (local.get $did) (local.get $len))) (then (return (i64.const 0))))
    (local.set $w (i64.add (i64.const 1) (i64.div_s (call $reputation (local.get $did) (local.get $len)) (i64.const 100))))
    (local.set $cap (call $param_int (i32.const 80) (i32.const 10) (i64.const 10)))
    (select (local.get $cap) (local.get $w) (i64.gt_s (local.get $w) (local.get $cap))))

  ;; Quorum over eligible members (member_count when eligible is 0), threshold over yes + no.
  (func (export "proposal_passes") (param $yes i64) (param $no i64) (param $abstain i64) (param $eligible i64) (result i32)
    (if (i64.eqz (local.get $eligible)) (then (local.set $eligible (call $member_count))))
    (i32.and
      (i64.ge_s
        (i64.mul (i64.add (i64.add (local.get $yes) (local.get $no)) (local.get $abstain)) (i64.const 100))
        (i64.mul (local.get $eligible) (call $param_int (i32.const 96) (i32.const 10) (i64.const 50))))
      (i64.gt_s
        (i64.mul (local.get $yes) (i64.const 100))
        (i64.mul (i64.add (local.get $yes) (local.get $no)) (call $param_int (i32.const 112) (i32.const 13) (i64.const 50))))))

  ;; The cost is the parameter named after the action (default 10); stewards pay half, and nobody pays more
  ;; than their balance.
  (func (export "mana_cost") (param $action i32) (param $action_len i32) (param $actor i32) (param $actor_len i32) (result i64)
    (local $cost i64) (local $balance i64)
    (local.set $cost (call $param_int (local.get $action) (local.get $action_len) (i64.const 10)))
    (if (call $has_role (local.get $actor) (local.get $actor_len) (i32.const 128) (i32.const 7))
      (then (local.set $cost (i64.div_s (local.get $cost) (i64.const 2)))))
    (local.set $balance (call $balance (local.get $actor) (local.get $actor_len)))
    (select (local.get $balance) (local.get $cost) (i64.lt_s (local.get $balance) (local.get $cost))))

  (func (export "job_admission")
    (param $sub i32) (param $sub_len i32) (param $exe i32) (param $exe_len i32) (param $max_price i64) (param $fuel i64) (result i32)
    (i32.and
      (i32.and
        (i32.eq (call $abi_version) (i32.const 1))
        (i64.ge_s (call $reputation (local.get $exe) (local.get $exe_len))
                  (call $param_int (i32.const 144) (i32.const 14) (i64.const 0))))
      (i32.and
        (i64.ge_s (call $balance (local.get $sub) (local.get $sub_len)) (local.get $max_price))
        (i64.le_s (local.get $fuel) (call $param_int (i32.const 160) (i32.const 8) (i64.const 1000000000)))))))
