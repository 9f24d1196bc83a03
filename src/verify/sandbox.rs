//! Running the driver in a contained `node`: Node's permission model (read-only access to the
//! project and the driver's folder; no writes, child processes, workers or native addons), a
//! fresh temporary working folder, a cleared environment, a new network namespace where the OS
//! allows it, its own process group killed as a whole at the deadline, capped output, and a
//! death signal should leaklint itself die. The report comes back on file descriptor 3, so
//! whatever the module prints cannot forge or drown it.

#[cfg(unix)]
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
#[cfg(unix)]
use std::os::fd::{FromRawFd, RawFd};
#[cfg(unix)]
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
#[cfg(unix)]
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(unix)]
use std::sync::Arc;
use std::time::Duration;
#[cfg(unix)]
use std::time::Instant;

/// stdout plus stderr beyond this is a runaway module: it is stopped.
pub const OUTPUT_LIMIT: u64 = 16 * 1024 * 1024;
/// The report channel beyond this is not the driver talking: it is stopped.
const REPORT_LIMIT: u64 = 8 * 1024 * 1024;
/// How much of stderr is kept, from its start and from its end.
const STDERR_KEEP: usize = 16 * 1024;

/// The node that runs the drivers, and how it can be contained.
#[derive(Clone, Debug)]
pub struct NodeRuntime {
    pub path: PathBuf,
    pub version: String,
    /// `--permission` (Node ≥ 22.13) or `--experimental-permission` (Node 20 to 22.12).
    pub permission_flag: &'static str,
    /// Children get a fresh network namespace (no interfaces but a down loopback).
    pub network_namespace: bool,
    /// Why there is no network namespace, when there is none.
    pub network_note: Option<String>,
}

impl NodeRuntime {
    /// Finds out the version of `node` and whether a network namespace can be made.
    #[cfg(not(unix))]
    pub fn detect(_node: &Path) -> Result<NodeRuntime, String> {
        Err("leaklint verify runs on Linux and other Unix systems only".into())
    }

    /// Finds out the version of `node` and whether a network namespace can be made.
    #[cfg(unix)]
    pub fn detect(node: &Path) -> Result<NodeRuntime, String> {
        let version = |namespace: bool| -> io::Result<String> {
            let mut command = Command::new(node);
            command
                .arg("--version")
                .env_clear()
                .stdin(Stdio::null())
                .stderr(Stdio::null());
            if namespace {
                // SAFETY: only async-signal-safe calls between fork and exec.
                unsafe {
                    command.pre_exec(unshare_network);
                }
            }
            let output = command.output()?;
            if !output.status.success() {
                return Err(io::Error::other(format!("exited with {}", output.status)));
            }
            Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
        };
        let (version, network_namespace, network_note) = match version(true) {
            Ok(v) => (v, true, None),
            Err(namespace_error) => match version(false) {
                Ok(v) => (
                    v,
                    false,
                    Some(format!(
                        "no new network namespace ({namespace_error}): the code can reach the network"
                    )),
                ),
                Err(e) => {
                    return Err(format!(
                        "cannot run `{} --version`: {e}; install Node.js 20 or later or pass --node PATH",
                        node.display()
                    ))
                }
            },
        };
        let numbers: Vec<u32> = version
            .trim_start_matches('v')
            .split('.')
            .map(|n| n.parse().unwrap_or(0))
            .collect();
        let (major, minor) = (
            numbers.first().copied().unwrap_or(0),
            numbers.get(1).copied().unwrap_or(0),
        );
        let permission_flag = if major > 22 || (major == 22 && minor >= 13) {
            "--permission"
        } else if major >= 20 {
            "--experimental-permission"
        } else {
            return Err(format!(
                "leaklint verify needs Node.js 20 or later for its permission model; `{}` is {version}",
                node.display()
            ));
        };
        Ok(NodeRuntime {
            path: node.to_path_buf(),
            version,
            permission_flag,
            network_namespace,
            network_note,
        })
    }
}

/// One contained run of a driver.
pub struct Job<'a> {
    pub runtime: &'a NodeRuntime,
    /// The driver script, inside `workdir`.
    pub driver: &'a Path,
    pub workdir: &'a Path,
    /// Folders node may read (the project, the driver's folder, a scenario's folder).
    pub readable: &'a [PathBuf],
    pub heap_limit_mb: u32,
    pub timeout: Duration,
    /// Needed to run ES modules through `vm.SourceTextModule`.
    pub vm_modules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// What a run left behind.
#[derive(Debug)]
pub struct Outcome {
    pub exit: Exit,
    pub timed_out: bool,
    /// Which limit stopped it, if output did.
    pub output_exceeded: Option<&'static str>,
    /// The driver's report, one JSON value a line (progress lines left out).
    pub messages: Vec<serde_json::Value>,
    /// Calls completed, from the last progress line.
    pub calls: u64,
    /// The start and the end of stderr.
    pub stderr: String,
    pub elapsed: Duration,
}

#[cfg(not(unix))]
pub fn run(_job: &Job) -> io::Result<Outcome> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "leaklint verify runs on Linux and other Unix systems only",
    ))
}

#[cfg(unix)]
pub fn run(job: &Job) -> io::Result<Outcome> {
    let started = Instant::now();
    let (report_read, report_write) = pipe()?;
    let mut command = Command::new(&job.runtime.path);
    command
        .arg(job.runtime.permission_flag)
        .args(job.readable.iter().map(|p| {
            let mut arg = std::ffi::OsString::from("--allow-fs-read=");
            arg.push(p);
            arg
        }))
        .arg(format!("--max-old-space-size={}", job.heap_limit_mb))
        .arg("--expose-gc")
        .arg("--no-warnings")
        .args(job.vm_modules.then_some("--experimental-vm-modules"))
        .arg(job.driver)
        .current_dir(job.workdir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", job.workdir)
        .env("TMPDIR", job.workdir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let namespace = job.runtime.network_namespace;
    // SAFETY: only async-signal-safe calls (dup2, fcntl, prctl, unshare) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if report_write == 3 {
                if libc::fcntl(3, libc::F_SETFD, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
            } else if libc::dup2(report_write, 3) < 0 {
                return Err(io::Error::last_os_error());
            }
            die_with_parent();
            if namespace {
                unshare_network()?;
            }
            Ok(())
        });
    }
    let spawned = command.spawn();
    // SAFETY: the write end is ours and now belongs to the child only.
    unsafe {
        libc::close(report_write);
    }
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            // SAFETY: the read end is ours.
            unsafe {
                libc::close(report_read);
            }
            return Err(e);
        }
    };
    // SAFETY: report_read is an open pipe end that nothing else owns.
    let report = unsafe { File::from_raw_fd(report_read) };
    let output_total = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicU64::new(0));
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out_reader = {
        let (total, stop) = (output_total.clone(), stop.clone());
        std::thread::spawn(move || drain(stdout, &total, &stop, 0))
    };
    let err_reader = {
        let (total, stop) = (output_total.clone(), stop.clone());
        std::thread::spawn(move || drain(stderr, &total, &stop, STDERR_KEEP))
    };
    let report_reader = {
        let (stop, calls) = (stop.clone(), calls.clone());
        std::thread::spawn(move || read_report(report, &stop, &calls))
    };

    let deadline = started + job.timeout;
    let mut timed_out = false;
    let pid = child.id() as libc::pid_t;
    loop {
        if exited(&mut child, pid)? {
            break;
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // The group is killed before the leader is reaped, so its id cannot have been reused.
    kill_group(pid);
    let status = child.wait()?;
    let stderr = err_reader.join().unwrap_or_default();
    let _ = out_reader.join();
    let (messages, report_exceeded) = report_reader.join().unwrap_or_default();
    let output_exceeded = if output_total.load(Ordering::Relaxed) > OUTPUT_LIMIT {
        Some("stdout and stderr")
    } else if report_exceeded {
        Some("the report channel")
    } else {
        None
    };
    let exit = match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(signal)) => Exit::Signal(signal),
        (None, None) => Exit::Code(-1),
    };
    Ok(Outcome {
        exit,
        timed_out: timed_out && output_exceeded.is_none(),
        output_exceeded,
        messages,
        calls: calls.load(Ordering::Relaxed),
        stderr,
        elapsed: started.elapsed(),
    })
}

/// Has the child exited? On Linux it is asked without reaping it (`WNOWAIT`), so its process
/// group id stays taken until the group has been killed.
#[cfg(target_os = "linux")]
fn exited(_child: &mut Child, pid: libc::pid_t) -> io::Result<bool> {
    // SAFETY: waitid writes into the zeroed siginfo we own.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        Ok(r == 0 && info.si_pid() != 0)
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn exited(child: &mut Child, _pid: libc::pid_t) -> io::Result<bool> {
    Ok(child.try_wait()?.is_some())
}

/// Kills every process in the group the child leads (the child and anything it started).
#[cfg(unix)]
fn kill_group(pid: libc::pid_t) {
    // SAFETY: a plain kill(2) of our child's process group.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// In the child, between fork and exec: a network namespace of its own, with no interface
/// but a loopback that is down.
#[cfg(target_os = "linux")]
fn unshare_network() -> io::Result<()> {
    // SAFETY: unshare(2) is async-signal-safe.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(all(unix, not(target_os = "linux")))]
fn unshare_network() -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "network namespaces are Linux-only",
    ))
}

/// In the child, between fork and exec: die when leaklint dies.
#[cfg(target_os = "linux")]
fn die_with_parent() {
    // SAFETY: prctl(2) is async-signal-safe.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn die_with_parent() {}

#[cfg(target_os = "linux")]
fn pipe() -> io::Result<(RawFd, RawFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((fds[0], fds[1]))
}

#[cfg(all(unix, not(target_os = "linux")))]
fn pipe() -> io::Result<(RawFd, RawFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe fills the two descriptors, which we then mark close-on-exec.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        for fd in fds {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
    Ok((fds[0], fds[1]))
}

/// Reads a stream to its end, keeping the first and last `keep` bytes, counting the total and
/// raising `stop` past the output limit.
#[cfg_attr(not(unix), allow(dead_code))]
fn drain(mut stream: impl Read, total: &AtomicU64, stop: &AtomicBool, keep: usize) -> String {
    let mut head = Vec::new();
    let mut tail: Vec<u8> = Vec::new();
    let mut skipped = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if total.fetch_add(n as u64, Ordering::Relaxed) + n as u64 > OUTPUT_LIMIT {
            stop.store(true, Ordering::Relaxed);
        }
        if keep == 0 {
            continue;
        }
        let chunk = &buf[..n];
        if head.len() < keep {
            let take = (keep - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
            tail.extend_from_slice(&chunk[take..]);
        } else {
            tail.extend_from_slice(chunk);
        }
        if tail.len() > 2 * keep {
            tail.drain(..tail.len() - keep);
            skipped = true;
        }
    }
    if tail.len() > keep {
        tail.drain(..tail.len() - keep);
        skipped = true;
    }
    let mut text = String::from_utf8_lossy(&head).into_owned();
    if skipped {
        text.push_str("\n[…]\n");
    }
    text.push_str(&String::from_utf8_lossy(&tail));
    text
}

/// The driver's JSON lines; progress lines only update the call count.
#[cfg(unix)]
fn read_report(
    report: File,
    stop: &AtomicBool,
    calls: &AtomicU64,
) -> (Vec<serde_json::Value>, bool) {
    let mut messages = Vec::new();
    let mut total = 0u64;
    let mut reader = BufReader::new(report);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n as u64,
        }
        if total > REPORT_LIMIT {
            stop.store(true, Ordering::Relaxed);
            // Keep draining so the child never blocks on a full pipe before it is killed.
            let _ = io::copy(&mut reader, &mut io::sink());
            return (messages, true);
        }
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if value["t"] == "p" {
            if let Some(n) = value["n"].as_u64() {
                calls.store(n, Ordering::Relaxed);
            }
        } else {
            messages.push(value);
        }
    }
    (messages, false)
}
