/**
 * A seccomp filter (classic BPF, as bwrap's `--seccomp FD` takes it) that refuses, with EPERM,
 * the system calls sandboxed Python has no use for and that widen the kernel's attack surface:
 * tracing other processes, kernel keyrings, eBPF, perf, userfaultfd, io_uring, modules, kexec,
 * mounts, namespaces, personality (ASLR off), clocks, raw file handles. Everything else is
 * allowed. Another architecture's system calls (i386, x32) are refused outright.
 *
 * Numbers from the kernel's uapi headers: asm/unistd_64.h (x86_64) and asm-generic/unistd.h
 * (aarch64).
 */

const X86_64: Record<string, number> = {
  ptrace: 101,
  process_vm_readv: 310,
  process_vm_writev: 311,
  pidfd_getfd: 438,
  kcmp: 312,
  keyctl: 250,
  add_key: 248,
  request_key: 249,
  bpf: 321,
  perf_event_open: 298,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  kexec_load: 246,
  kexec_file_load: 320,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  unshare: 272,
  setns: 308,
  personality: 135,
  acct: 163,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  quotactl: 179,
  lookup_dcookie: 212,
  syslog: 103,
  uselib: 134,
  vhangup: 153,
  clock_settime: 227,
  settimeofday: 164,
  adjtimex: 159,
  clock_adjtime: 305,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
};

const AARCH64: Record<string, number> = {
  ptrace: 117,
  process_vm_readv: 270,
  process_vm_writev: 271,
  pidfd_getfd: 438,
  kcmp: 272,
  keyctl: 219,
  add_key: 217,
  request_key: 218,
  bpf: 280,
  perf_event_open: 241,
  userfaultfd: 282,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  kexec_load: 104,
  kexec_file_load: 294,
  init_module: 105,
  finit_module: 273,
  delete_module: 106,
  mount: 40,
  umount2: 39,
  pivot_root: 41,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
  unshare: 97,
  setns: 268,
  personality: 92,
  acct: 89,
  swapon: 224,
  swapoff: 225,
  reboot: 142,
  sethostname: 161,
  setdomainname: 162,
  quotactl: 60,
  lookup_dcookie: 18,
  syslog: 116,
  vhangup: 58,
  clock_settime: 112,
  settimeofday: 170,
  adjtimex: 171,
  clock_adjtime: 266,
  name_to_handle_at: 264,
  open_by_handle_at: 265,
};

const ARCHITECTURES: Record<string, { audit: number; syscalls: Record<string, number> }> = {
  x64: { audit: 0xc000003e, syscalls: X86_64 },
  arm64: { audit: 0xc00000b7, syscalls: AARCH64 },
};

// Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_KILL_PROCESS = 0x80000000;
const RET_ALLOW = 0x7fff0000;
const RET_ERRNO_EPERM = 0x00050000 | 1;
/** System call numbers of the x32 ABI have this bit set. */
const X32_SYSCALL_BIT = 0x40000000;

type Instruction = [code: number, jt: number, jf: number, k: number];

/**
 * The compiled filter for this machine's architecture (Node's `process.arch`), or undefined
 * where no table exists (the sandbox then runs without one).
 */
export function seccompFilter(arch: string = process.arch): Buffer | undefined {
  const target = ARCHITECTURES[arch];
  if (!target) {
    return undefined;
  }
  const numbers = Object.values(target.syscalls);
  // Layout: load arch, arch check, kill, load nr, [x32 check], one check per call, allow, refuse.
  const checks = arch === 'x64' ? numbers.length + 1 : numbers.length;
  const refuseAt = 4 + checks + 1;
  const program: Instruction[] = [
    [LD_W_ABS, 0, 0, 4], // seccomp_data.arch
    [JEQ_K, 1, 0, target.audit],
    [RET_K, 0, 0, RET_KILL_PROCESS],
    [LD_W_ABS, 0, 0, 0], // seccomp_data.nr
  ];
  if (arch === 'x64') {
    program.push([JGE_K, refuseAt - program.length - 1, 0, X32_SYSCALL_BIT]);
  }
  for (const number of numbers) {
    program.push([JEQ_K, refuseAt - program.length - 1, 0, number]);
  }
  program.push([RET_K, 0, 0, RET_ALLOW]);
  program.push([RET_K, 0, 0, RET_ERRNO_EPERM]);
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], index) => {
    bytes.writeUInt16LE(code, index * 8);
    bytes.writeUInt8(jt, index * 8 + 2);
    bytes.writeUInt8(jf, index * 8 + 3);
    bytes.writeUInt32LE(k, index * 8 + 4);
  });
  return bytes;
}
