;; Hostile: asks the host for a capability that does not exist (RUNTIME_UNKNOWN_IMPORT).
(module
  (import "env" "host_exec" (func $exec (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $exec (i32.const 0) (i32.const 0)))))
