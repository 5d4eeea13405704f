"""The set-up of a PyTorch peer: what it runs on, and whether that can give PyTorch's speed.

Every peer prints setup() before its figures; a peer whose BLAS or GEMM rate says it would run
slowly refuses to run (unsound_setup) unless told --allow-unsound-setup, because a slow peer
makes selfsup look fast.
"""
import os
import platform
import statistics
import time

import torch


def gemm_gflops(size, dtype=torch.float32, reps=10):
    """Median GFLOP/s of (size, size) x (size, size) products in dtype, after one warm-up."""
    a = torch.randn(size, size).to(dtype)
    b = torch.randn(size, size).to(dtype)
    a @ b
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size ** 3 / statistics.median(times) / 1e9


def setup(threads):
    """What this peer runs on: torch build, BLAS loaded, malloc, threads, CPU, environment, and
    a float32 1024^3 GEMM sanity figure."""
    config = torch.__config__.show()
    lines = []
    for line in config.splitlines():
        line = line.strip()
        if line.startswith("- Build settings:"):
            keep = ("BLAS_INFO", "LAPACK_INFO", "USE_MKLDNN", "USE_OPENMP")
            line = ", ".join(x.strip() for x in line.split(":", 1)[1].split(",")
                             if x.strip().startswith(keep))
        if any(w in line for w in ("BLAS", "LAPACK", "MKL", "OpenMP", "CPU capability")):
            lines.append(line.lstrip("- "))
    try:
        with open("/proc/self/maps") as f:
            mapped = {l.split()[-1] for l in f if "/" in l}
    except OSError:
        mapped = set()
    blas = sorted(m for m in mapped if "blas" in m.lower())
    names = {m.rsplit("/", 1)[-1] for m in mapped}
    allocator = ("tcmalloc" if any(n.startswith("libtcmalloc") for n in names)
                 else "jemalloc" if any(n.startswith("libjemalloc") for n in names) else "glibc")
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    env = {k: v for k, v in sorted(os.environ.items())
           if k.startswith(("OMP_", "MKL_", "OPENBLAS_", "DNNL_", "ONEDNN_", "MALLOC_", "GLIBC_",
                             "TCMALLOC_", "LD_PRELOAD"))}
    return {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "threads_requested": threads,
        "cpu": cpu,
        "build": lines,
        "blas_libraries_loaded": blas,
        "allocator": allocator,
        "env": env,
        "gemm_1024_gflops": round(gemm_gflops(1024), 1),
    }


# OpenBLAS kernel sets without AVX-512: forcing one of them on an AVX-512 CPU slows the peer
NARROW_OPENBLAS_CORES = ("prescott", "core2", "nehalem", "sandybridge", "haswell", "zen",
                         "barcelona", "bulldozer", "piledriver", "steamroller", "excavator")


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def unsound_setup(setup_info):
    """Why a peer with this set-up would not give PyTorch's speed, or None.

    OPENBLAS_CORETYPE=Haswell (set machine-wide on some VMs, for OpenBLAS releases that do not
    recognise newer AMD CPUs) makes OpenBLAS use AVX2 kernels on an AVX-512 CPU: on the 2-core
    AMD EPYC (family 26) VM a 4096^3 float32 GEMM then runs at about 159 GFLOP/s instead of about
    280 with OPENBLAS_CORETYPE=SkylakeX, and the MLP step takes 69 ms instead of 48.

    Debian's python3-torch links the BLAS that update-alternatives names; with only the reference
    BLAS (libblas3) installed, a 1024^3 float32 GEMM runs at about 3.5 GFLOP/s on the 2-core VM
    instead of about 100-126 with OpenBLAS (apt-get install libopenblas0-pthread)."""
    loaded = setup_info["blas_libraries_loaded"]
    if loaded and not any("openblas" in x or "mkl" in x for x in loaded):
        return "the reference BLAS is loaded (%s), not OpenBLAS or MKL" % ", ".join(loaded)
    core = setup_info["env"].get("OPENBLAS_CORETYPE", "")
    if core.lower() in NARROW_OPENBLAS_CORES and "avx512f" in cpu_flags():
        return ("OPENBLAS_CORETYPE=%s forces AVX2-or-narrower kernels on a CPU with AVX-512 "
                "(use OPENBLAS_CORETYPE=SkylakeX)" % core)
    if setup_info["gemm_1024_gflops"] < 20:
        return "a 1024^3 float32 GEMM runs at %.1f GFLOP/s" % setup_info["gemm_1024_gflops"]
    return None


def add_unsound_setup_option(parser):
    """--allow-unsound-setup: time the peer even where sound_setup would refuse."""
    parser.add_argument("--allow-unsound-setup", action="store_true",
                        help="run even where the BLAS or GEMM sanity figure says PyTorch would be slow")


def sound_setup(threads, allow_unsound):
    """Sets torch's thread count and returns setup(threads); exits naming the problem where
    unsound_setup finds one, unless allow_unsound."""
    torch.set_num_threads(threads)
    info = setup(threads)
    unsound = unsound_setup(info)
    if unsound and not allow_unsound:
        raise SystemExit("refusing to time an unsound peer: %s (see bench/peers/peer_setup.py; "
                         "--allow-unsound-setup overrides)" % unsound)
    return info
