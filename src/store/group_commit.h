// Group commit: one writer thread applies the queued writes of every
// connection in one transaction and makes them durable with one commit
// (one fsync), then completes each of them. Backend-neutral: a backend
// supplies begin/commit/rollback and the operations themselves.
//
// Two lanes share the writer. The main lane (intake, delivery, the API's
// changes) is taken whole into each transaction, up to max_batch. The bulk
// lane (provider events: many, large, and not waited on by a user) follows
// it, one operation after another, until `bulk_budget` of the
// transaction's time went on it if a main-lane write waits, else until
// `bulk_idle_budget` did (at least one operation, so it never starves);
// the rest waits for the next transaction. A write of the main lane so
// waits at most for the bulk operation under way, what is left of the
// budget and a commit, however deep the bulk backlog (docs/events.md
// "Sharing the writer").
//
// A backend whose commit can be made durable later (SQLite WAL with
// synchronous=NORMAL) also supplies `flush`: the fsync then runs in a sync
// stage of its own while the writer applies the next batch, and each write
// is answered after the flush that covers its commit.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/error.h"
#include "core/metrics.h"
#include "store/pending_write.h"
#include "store/sync_stage.h"
#include "store/write_outage_log.h"

namespace postern::store {

// Which queue a write waits in (see the top of this file).
enum class Lane { main, bulk };

struct GroupCommitOptions {
  std::size_t max_batch = 2048;   // operations per transaction, per lane
  std::size_t max_queue = 65536;  // per lane: beyond this, writes are refused with Errc::overloaded
  std::string name = "store";     // thread name and metric label
  // The time one transaction spends on the bulk lane's writes at most (the
  // one that crosses it is finished). Half a millisecond: about 25 provider
  // events (15–20 µs each on the writer), so intake's write waits for
  // little more than its own transaction and flush, while the lane still
  // takes tens of thousands of events per second.
  std::chrono::microseconds bulk_budget{500};
  // The same while no main-lane write waits: more events per commit (a
  // burst of single events shares one, not one each), while the commit an
  // intake write arriving meanwhile waits for stays small.
  std::chrono::microseconds bulk_idle_budget{5000};
};

struct TransactionHooks {
  std::function<Result<void>()> begin;
  std::function<Result<void>()> commit;  // may write last changes of the batch first
  std::function<void()> rollback;
  // Runs on the writer thread after each commit (e.g. checkpoints).
  std::function<void()> after_commit;
  // Optional: makes every commit made before the call durable. When set,
  // commit only has to make a batch visible (see the top of this file).
  std::function<Result<void>()> flush;
  // Optional: asked after each commit. A callable it answers runs once that
  // commit is durable, after the answers of its writes, on the thread that
  // gives them (e.g. to wake a reader of what the batch wrote).
  std::function<std::function<void()>()> take_durable_notice;
};

class GroupCommitter {
 public:
  // `clock` times the lines about a database that cannot be written
  // (write_outage_log.h).
  GroupCommitter(TransactionHooks hooks, GroupCommitOptions options, MetricsRegistry& metrics,
                 const Clock& clock);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues a write. `apply` runs on the writer thread inside a transaction;
  // an error that is a storage failure (storage_full, storage_unavailable,
  // corrupt, internal) aborts the transaction, other errors are the
  // operation's own answer. `done` runs once the commit is durable, on the
  // writer thread (or the sync stage's), with apply's result, or with the
  // commit's (or flush's) error. A write refused
  // at once (shutting down, queue full) completes inline on the caller's
  // thread. `apply` may run more than once (a failed batch is retried one
  // operation per transaction), so it must only touch the database.
  template <class T>
  void submit(std::function<Result<T>()> apply, std::function<void(Result<T>)> done,
              Lane lane = Lane::main);

  // Refuses new writes, commits what is queued and joins the writer.
  void stop();

  // Writes waiting, both lanes.
  std::size_t queue_depth() const;

 private:
  template <class T>
  struct TypedOp;

  void enqueue(std::unique_ptr<PendingWrite> op, Lane lane);
  void run();
  // Applies `batch` (the main lane's) and then the bulk lane's share,
  // which it appends to `batch`; commits. False when a write failed the
  // transaction (rolled back; `batch` holds every write it applied).
  bool apply_batch(WriteBatch& batch);
  // The bulk lane's next write; null when it is empty, or when
  // `unless_main_waits` and a main-lane write waits.
  std::unique_ptr<PendingWrite> take_bulk(bool unless_main_waits);
  void apply_one_by_one(WriteBatch& batch);
  // Answers the writes of a committed batch, now or after the sync stage's flush.
  void complete(WriteBatch& committed);
  // Adds to a committed batch the notice hooks_.take_durable_notice asks for.
  void add_durable_notice(WriteBatch& committed);

  TransactionHooks hooks_;
  GroupCommitOptions options_;
  Histogram& batch_size_;
  Histogram& commit_seconds_;
  Histogram& transaction_seconds_;
  Counter& commit_failures_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  WriteBatch queue_;       // guarded by mu_: the main lane
  WriteBatch bulk_;        // guarded by mu_: the bulk lane
  bool stopping_ = false;  // guarded by mu_
  // How long a batch takes to apply and commit (a moving average; writer
  // thread only): the sync stage lets the writer start that long before
  // the running flush is expected to end.
  std::chrono::nanoseconds commit_estimate_{0};
  WriteOutageLog outage_;            // writer thread only
  std::unique_ptr<SyncStage> sync_;  // when hooks_.flush is set
  std::thread thread_;
};

// True for errors that mean the storage itself failed, as opposed to an
// operation's own answer such as not_found or conflict.
bool is_storage_failure(const error_code& ec);

template <class T>
struct GroupCommitter::TypedOp final : PendingWrite {
  std::function<Result<T>()> apply_fn;
  std::function<void(Result<T>)> done;
  Result<T> result{error_code(Errc::internal)};

  error_code apply() override {
    result = apply_fn();
    if (result.has_error() && is_storage_failure(result.error())) return result.error();
    return {};
  }
  void finish(error_code commit_error) override {
    if (commit_error) {
      done(commit_error);
    } else {
      done(std::move(result));
    }
  }
  void refuse(error_code why) override { done(why); }
};

template <class T>
void GroupCommitter::submit(std::function<Result<T>()> apply, std::function<void(Result<T>)> done,
                            Lane lane) {
  auto op = std::make_unique<TypedOp<T>>();
  op->apply_fn = std::move(apply);
  op->done = std::move(done);
  enqueue(std::move(op), lane);
}

}  // namespace postern::store
