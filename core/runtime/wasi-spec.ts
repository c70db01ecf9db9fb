import type { AbiScalar } from './abi'

/**
 * WASI preview1 import signatures (witx `wasi_snapshot_preview1`). A module may import any of these with exactly
 * this signature; `wasi.ts` implements the deterministic subset and answers the rest with ENOSYS/EBADF/ENOTCAPABLE.
 */
export const WASI_MODULE = 'wasi_snapshot_preview1'

const f = (params: AbiScalar[], results: AbiScalar[] = ['i32']) => ({ params, results })

export const WASI_IMPORTS: Record<string, { params: AbiScalar[]; results: AbiScalar[] }> = {
  args_get: f(['i32', 'i32']),
  args_sizes_get: f(['i32', 'i32']),
  environ_get: f(['i32', 'i32']),
  environ_sizes_get: f(['i32', 'i32']),
  clock_res_get: f(['i32', 'i32']),
  clock_time_get: f(['i32', 'i64', 'i32']),
  fd_advise: f(['i32', 'i64', 'i64', 'i32']),
  fd_allocate: f(['i32', 'i64', 'i64']),
  fd_close: f(['i32']),
  fd_datasync: f(['i32']),
  fd_fdstat_get: f(['i32', 'i32']),
  fd_fdstat_set_flags: f(['i32', 'i32']),
  fd_fdstat_set_rights: f(['i32', 'i64', 'i64']),
  fd_filestat_get: f(['i32', 'i32']),
  fd_filestat_set_size: f(['i32', 'i64']),
  fd_filestat_set_times: f(['i32', 'i64', 'i64', 'i32']),
  fd_pread: f(['i32', 'i32', 'i32', 'i64', 'i32']),
  fd_prestat_get: f(['i32', 'i32']),
  fd_prestat_dir_name: f(['i32', 'i32', 'i32']),
  fd_pwrite: f(['i32', 'i32', 'i32', 'i64', 'i32']),
  fd_read: f(['i32', 'i32', 'i32', 'i32']),
  fd_readdir: f(['i32', 'i32', 'i32', 'i64', 'i32']),
  fd_renumber: f(['i32', 'i32']),
  fd_seek: f(['i32', 'i64', 'i32', 'i32']),
  fd_sync: f(['i32']),
  fd_tell: f(['i32', 'i32']),
  fd_write: f(['i32', 'i32', 'i32', 'i32']),
  path_create_directory: f(['i32', 'i32', 'i32']),
  path_filestat_get: f(['i32', 'i32', 'i32', 'i32', 'i32']),
  path_filestat_set_times: f(['i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32']),
  path_link: f(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']),
  path_open: f(['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32']),
  path_readlink: f(['i32', 'i32', 'i32', 'i32', 'i32', 'i32']),
  path_remove_directory: f(['i32', 'i32', 'i32']),
  path_rename: f(['i32', 'i32', 'i32', 'i32', 'i32', 'i32']),
  path_symlink: f(['i32', 'i32', 'i32', 'i32', 'i32']),
  path_unlink_file: f(['i32', 'i32', 'i32']),
  poll_oneoff: f(['i32', 'i32', 'i32', 'i32']),
  proc_exit: f(['i32'], []),
  proc_raise: f(['i32']),
  sched_yield: f([]),
  random_get: f(['i32', 'i32']),
  sock_accept: f(['i32', 'i32', 'i32']),
  sock_recv: f(['i32', 'i32', 'i32', 'i32', 'i32', 'i32']),
  sock_send: f(['i32', 'i32', 'i32', 'i32', 'i32']),
  sock_shutdown: f(['i32', 'i32']),
}
