;; Hostile: never terminates. Stopped by fuel (RUNTIME_OUT_OF_FUEL) or, with a huge budget, by the deadline.
(module
  (memory (export "memory") 1)
  (func (export "_start") (loop $forever (br $forever))))
