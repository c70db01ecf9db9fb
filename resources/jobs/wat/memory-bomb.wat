;; Hostile: grows memory 1 MiB at a time, touching each new page, until memory.grow fails, then traps.
;; The runtime clamps the maximum to the job's memoryMiB, so the growth stops there (RUNTIME_MEMORY_LIMIT).
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (if (i32.ne (memory.grow (i32.const 16)) (i32.const -1))
        (then
          (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (i32.const 1))
          (br $grow))))
    unreachable))
