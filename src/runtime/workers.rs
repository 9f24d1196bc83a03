//! Threads that run jobs under a deadline. swc's parser cannot be interrupted, and a file can
//! make it backtrack for hours: a job still running at its deadline gets a stand-in output (a
//! note), the thread on it is left to finish or to end with the process, and a new thread takes
//! its place. The threads are kept from one batch of jobs to the next (the language server lints
//! one document at a time on the same thread, its allocator's memory with it), and are only
//! replaced when stuck.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::runtime::WORKER_STACK;

/// How often the caller of [`Workers::run`] looks for a job past its deadline.
const POLL: Duration = Duration::from_millis(50);

/// A pool of threads with the workers' large stack that run `work` on each job of a batch.
pub struct Workers<J, T> {
    shared: Arc<Shared<J, T>>,
    size: usize,
    name: Option<String>,
    /// The threads taking jobs; one left behind on a job past its deadline is no longer here.
    live: Vec<Worker>,
    /// Batches run so far, which numbers them: a thread takes each batch once.
    batches: u64,
}

struct Worker {
    thread: JoinHandle<()>,
    state: Arc<WorkerState>,
}

#[derive(Default)]
struct WorkerState {
    /// The job the thread is on (its batch's number and its index) and when it started. Its
    /// deadline is asked for by the caller of [`Workers::run`] as it looks (every [`POLL`]),
    /// not by the thread for every job: `check`'s deadline is a `stat` of the file.
    running: Mutex<Option<(u64, usize, Instant)>>,
    /// Left behind past a deadline: the thread ends when its job does.
    abandoned: AtomicBool,
}

struct Shared<J, T> {
    work: Box<dyn Fn(&J) -> T + Send + Sync>,
    queue: Mutex<Queue<J, T>>,
    /// Signalled when a batch is posted or the pool closes.
    posted: Condvar,
}

struct Queue<J, T> {
    batch: Option<Arc<Batch<J, T>>>,
    closed: bool,
}

struct Batch<J, T> {
    number: u64,
    jobs: Vec<J>,
    next: AtomicUsize,
    deadline: Box<dyn Fn(&J) -> Duration + Send + Sync>,
    outputs: Mutex<Outputs<T>>,
    /// Signalled at the last output: waking the caller for each job would cost more than the
    /// deadline is worth.
    finished: Condvar,
}

struct Outputs<T> {
    slots: Vec<Option<T>>,
    done: usize,
}

impl<J, T> Batch<J, T> {
    fn store(&self, index: usize, output: T) {
        let mut outputs = self.outputs.lock().expect("not poisoned");
        let outputs = &mut *outputs;
        // A job past its deadline already has its stand-in, and a finished batch no slots.
        if let Some(slot @ None) = outputs.slots.get_mut(index) {
            *slot = Some(output);
            outputs.done += 1;
            if outputs.done == self.jobs.len() {
                self.finished.notify_all();
            }
        }
    }
}

impl<J, T> Workers<J, T>
where
    J: Send + Sync + 'static,
    T: Send + 'static,
{
    /// A pool of at most `size` threads running `work`; none starts before it is needed.
    pub fn new(size: usize, work: impl Fn(&J) -> T + Send + Sync + 'static) -> Workers<J, T> {
        Workers {
            shared: Arc::new(Shared {
                work: Box::new(work),
                queue: Mutex::new(Queue {
                    batch: None,
                    closed: false,
                }),
                posted: Condvar::new(),
            }),
            size,
            name: None,
            live: Vec::new(),
            batches: 0,
        }
    }

    /// Names the threads (in panic messages and debuggers).
    pub fn named(mut self, name: &str) -> Workers<J, T> {
        self.name = Some(name.to_string());
        self
    }

    /// Starts the threads a batch of `count` jobs needs, up to the pool's size, in place of any
    /// that died. `Err` when no thread runs and none could start.
    pub fn start(&mut self, count: usize) -> io::Result<()> {
        self.live.retain(|worker| !worker.thread.is_finished());
        while self.live.len() < self.size.min(count) {
            match self.spawn() {
                Ok(worker) => self.live.push(worker),
                Err(error) if self.live.is_empty() => return Err(error),
                Err(_) => break,
            }
        }
        Ok(())
    }

    /// Runs `work` on every job and returns the outputs in the jobs' order. A job still running
    /// `deadline` after a thread took it (or whose thread died on it) gets `timed_out`'s output
    /// instead, given that deadline. When no thread can start, the jobs run on this thread,
    /// without a deadline.
    pub fn run(
        &mut self,
        jobs: Vec<J>,
        deadline: impl Fn(&J) -> Duration + Send + Sync + 'static,
        mut timed_out: impl FnMut(&J, Duration) -> T,
    ) -> Vec<T> {
        let count = jobs.len();
        if count == 0 {
            return Vec::new();
        }
        if self.start(count).is_err() {
            return jobs.iter().map(|job| (self.shared.work)(job)).collect();
        }
        self.batches += 1;
        let batch = Arc::new(Batch {
            number: self.batches,
            jobs,
            next: AtomicUsize::new(0),
            deadline: Box::new(deadline),
            outputs: Mutex::new(Outputs {
                slots: std::iter::repeat_with(|| None).take(count).collect(),
                done: 0,
            }),
            finished: Condvar::new(),
        });
        self.shared.queue.lock().expect("not poisoned").batch = Some(Arc::clone(&batch));
        self.shared.posted.notify_all();
        let mut outputs = batch.outputs.lock().expect("not poisoned");
        while outputs.done < count {
            outputs = batch
                .finished
                .wait_timeout(outputs, POLL)
                .expect("not poisoned")
                .0;
            let now = Instant::now();
            let mut i = 0;
            while i < self.live.len() {
                let worker = &self.live[i];
                let running = *worker.state.running.lock().expect("not poisoned");
                let stuck = match running {
                    Some((number, index, started))
                        if number == batch.number
                            && outputs.slots[index].is_none()
                            && (worker.thread.is_finished()
                                || now >= started + (batch.deadline)(&batch.jobs[index])) =>
                    {
                        Some(index)
                    }
                    _ => None,
                };
                let Some(index) = stuck else {
                    i += 1;
                    continue;
                };
                worker.state.abandoned.store(true, Ordering::Release);
                self.live.swap_remove(i);
                let job = &batch.jobs[index];
                outputs.slots[index] = Some(timed_out(job, (batch.deadline)(job)));
                outputs.done += 1;
                // The new thread, idle at the end of `live`, is looked at harmlessly.
                if let Ok(worker) = self.spawn() {
                    self.live.push(worker);
                }
            }
        }
        let slots = std::mem::take(&mut outputs.slots);
        drop(outputs);
        // The jobs go with the batch, once no thread left behind holds it.
        self.shared.queue.lock().expect("not poisoned").batch = None;
        slots.into_iter().flatten().collect()
    }

    fn spawn(&self) -> io::Result<Worker> {
        let shared = Arc::clone(&self.shared);
        let state = Arc::new(WorkerState::default());
        let mut builder = std::thread::Builder::new().stack_size(WORKER_STACK);
        if let Some(name) = &self.name {
            builder = builder.name(name.clone());
        }
        let thread = builder.spawn({
            let state = Arc::clone(&state);
            move || take_jobs(&shared, &state)
        })?;
        Ok(Worker { thread, state })
    }
}

/// A thread's life: each batch posted, until the pool closes or leaves it behind.
fn take_jobs<J, T>(shared: &Shared<J, T>, state: &WorkerState) {
    let mut last = 0;
    loop {
        let batch = {
            let mut queue = shared.queue.lock().expect("not poisoned");
            loop {
                if queue.closed {
                    return;
                }
                match &queue.batch {
                    Some(batch) if batch.number != last => break Arc::clone(batch),
                    _ => queue = shared.posted.wait(queue).expect("not poisoned"),
                }
            }
        };
        last = batch.number;
        loop {
            let index = batch.next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = batch.jobs.get(index) else {
                break;
            };
            let started = Instant::now();
            *state.running.lock().expect("not poisoned") = Some((batch.number, index, started));
            let output = (shared.work)(job);
            *state.running.lock().expect("not poisoned") = None;
            batch.store(index, output);
            if state.abandoned.load(Ordering::Acquire) {
                return;
            }
        }
    }
}

impl<J, T> Drop for Workers<J, T> {
    /// Ends the threads that wait for jobs; one left behind ends when its job does.
    fn drop(&mut self) {
        let mut queue = self
            .shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        queue.closed = true;
        drop(queue);
        self.shared.posted.notify_all();
        for worker in self.live.drain(..) {
            let _ = worker.thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    fn millis(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn outputs_come_in_the_jobs_order() {
        let mut workers = Workers::new(3, |job: &u64| {
            std::thread::sleep(millis(job % 4));
            job * 2
        });
        let jobs: Vec<u64> = (0..40).collect();
        let outputs = workers.run(jobs, |_| Duration::from_secs(60), |_, _| u64::MAX);
        assert_eq!(outputs, (0..40).map(|n| n * 2).collect::<Vec<_>>());
        assert!(workers.run(Vec::new(), |_| millis(1), |_, _| 0).is_empty());
    }

    #[test]
    fn a_job_past_its_deadline_gets_the_stand_in_and_the_others_go_on() {
        // Job 1 waits until released: a parse that never ends, as far as the pool can tell.
        let release = Arc::new(AtomicBool::new(false));
        let held = Arc::clone(&release);
        let mut workers = Workers::new(1, move |job: &u64| {
            while *job == 1 && !held.load(Ordering::Acquire) {
                std::thread::sleep(millis(5));
            }
            *job
        });
        let started = Instant::now();
        let outputs = workers.run(
            vec![0, 1, 2, 3],
            |job| millis(if *job == 1 { 100 } else { 60_000 }),
            |job, deadline| 1000 + job + deadline.as_millis() as u64,
        );
        assert_eq!(outputs, [0, 1101, 2, 3]);
        assert!(started.elapsed() >= millis(100));
        // The thread left behind ends with its job and takes no other batch's jobs.
        assert_eq!(
            workers.run(vec![5, 6], |_| millis(60_000), |_, _| 0),
            [5, 6]
        );
        release.store(true, Ordering::Release);
        assert_eq!(
            workers.run(vec![1, 7], |_| millis(60_000), |_, _| 0),
            [1, 7]
        );
    }

    #[test]
    fn the_same_thread_runs_one_batch_after_another() {
        let threads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&threads);
        let mut workers = Workers::new(1, move |_: &()| {
            seen.lock().unwrap().push(std::thread::current().id());
        })
        .named("kept");
        for _ in 0..5 {
            workers.start(1).unwrap();
            workers.run(vec![()], |_| millis(60_000), |_, _| ());
        }
        let threads = threads.lock().unwrap();
        assert_eq!(threads.len(), 5);
        assert!(threads.iter().all(|id| *id == threads[0]));
    }

    #[test]
    fn a_thread_that_dies_on_a_job_is_replaced_at_once() {
        let calls = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&calls);
        let mut workers = Workers::new(1, move |job: &u64| {
            counted.fetch_add(1, Ordering::Relaxed);
            if *job == 1 {
                // resume_unwind ends the thread without the panic hook's message.
                std::panic::resume_unwind(Box::new("a bug outside the lint's catch_unwind"));
            }
            *job
        });
        let started = Instant::now();
        let outputs = workers.run(vec![0, 1, 2], |_| millis(60_000), |_, _| 99);
        assert_eq!(outputs, [0, 99, 2]);
        assert!(started.elapsed() < Duration::from_secs(30));
        assert_eq!(calls.load(Ordering::Relaxed), 3);
    }
}
