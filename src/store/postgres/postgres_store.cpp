#include "store/postgres/postgres_store.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "store/group_commit.h"
#include "store/postgres/connection.h"
#include "store/postgres/event_writer.h"
#include "store/postgres/migrations.h"
#include "store/postgres/pg_cluster_link.h"
#include "store/postgres/pg_event_store.h"
#include "store/postgres/pg_inbox_store.h"
#include "store/postgres/pg_routing_store.h"
#include "store/postgres/pg_webhook_store.h"
#include "store/postgres/reader.h"
#include "store/postgres/reader_pool.h"
#include "store/postgres/webhook_writer.h"
#include "store/postgres/writer.h"

namespace postern::store::postgres {
namespace {

// synchronous_commit = on whatever the server's default: a COMMIT answers
// once its WAL is flushed, so every acknowledgement follows a durable
// commit. application_name shows the node's sessions in pg_stat_activity.
// LISTEN: endpoint changes on other nodes (webhook_writer.h).
//
// plan_cache_mode: each statement keeps the one plan made for any
// parameters. The writer's statements look rows up by key or insert rows,
// and their generic plans are the right ones; left to choose, the server
// planned a statement of a few rows (row_arrays.h) anew at every run,
// because a plan for the rows at hand is estimated cheaper than one for
// any rows (0.2 ms of planning per run, a sixth of the server's time with
// three nodes).
const std::vector<std::string> kWriterSetup = {
    "SET synchronous_commit = on", "SET plan_cache_mode = force_generic_plan",
    "SET application_name = 'postern-writer'", std::string("LISTEN ") + kWebhookChannel};
const std::vector<std::string> kReaderSetup = {"SET application_name = 'postern-reader'"};

}  // namespace

// Members are destroyed bottom-up: the committer stops first.
struct PostgresStore::Impl {
  std::unique_ptr<Connection> write_conn;
  std::unique_ptr<WebhookWriter> webhook_writer;  // used by the writer below
  std::unique_ptr<Writer> writer;
  std::unique_ptr<EventWriter> event_writer;
  std::unique_ptr<ReaderPool> readers;
  std::unique_ptr<GroupCommitter> committer;
  std::unique_ptr<PgClusterLink> link;  // on a connection of its own
  // Written through the committer (stopped by close() before these go).
  std::unique_ptr<InboxWriter> inbox_writer;
  std::unique_ptr<PgInboxStore> inbox;
  std::unique_ptr<PgEventStore> events;  // uses the committer, goes before it
  // Parts written through the committer: they go with it.
  std::unique_ptr<PgRoutingStore> routing;
  std::unique_ptr<PgWebhookStore> webhooks;
  // What the writer last found (writable()): false from a transaction that
  // could not begin or commit for want of the server, true from one that
  // committed. A probe is an empty transaction queued by writable().
  std::atomic<bool> writable{true};
  std::atomic<bool> probing{false};
  // Attempts waiting for the write queued to record them as a group (see
  // record_attempt), with their completions, in the same order.
  struct AttemptGroup {
    std::vector<OwnedAttempt> attempts;
    std::vector<Completion<void>> done;
  };
  std::mutex attempts_mutex;
  AttemptGroup waiting_attempts;  // guarded by attempts_mutex

  AttemptGroup take_waiting_attempts() {
    std::lock_guard lock(attempts_mutex);
    return std::exchange(waiting_attempts, {});
  }

  // The writer's verdict on a transaction's begin or commit.
  Result<void> note(Result<void> r) {
    if (r) {
      writable = true;
    } else if (r.error() == Errc::storage_unavailable) {
      writable = false;
    }
    return r;
  }

  // Queues a write: `op` runs on the writer thread with the writer.
  template <class T, class Op>
  void write(Op op, Completion<T> done) {
    committer->submit<T>([w = writer.get(), op = std::move(op)]() { return op(*w); },
                         std::move(done));
  }

  // Runs a read on a pooled connection (reader_pool.h: tried again once on
  // a lost connection).
  template <class F>
  auto read(F f) -> decltype(f(std::declval<Reader&>())) {
    return PgReads<Reader>{*readers}(std::move(f));
  }
};

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const PostgresOptions& options,
                                                           const Clock& clock,
                                                           MetricsRegistry& metrics) {
  auto impl = std::make_unique<Impl>();
  auto conn = Connection::open(options.url, kWriterSetup);
  if (!conn) return conn.error();
  impl->write_conn = std::move(*conn);
  if (auto r = migrate_postgres(*impl->write_conn); !r) {
    spdlog::error("store: PostgreSQL migration failed: {}", impl->write_conn->last_error());
    return r.error();
  }
  auto readers = ReaderPool::open(options.readers,
                                  [&] { return Connection::open(options.url, kReaderSetup); });
  if (!readers) return readers.error();
  impl->readers = std::move(*readers);
  impl->webhook_writer = std::make_unique<WebhookWriter>(*impl->write_conn);
  impl->writer = std::make_unique<Writer>(*impl->write_conn, clock, *impl->webhook_writer);
  impl->event_writer =
      std::make_unique<EventWriter>(*impl->write_conn, clock, *impl->webhook_writer);

  Connection* c = impl->write_conn.get();
  Writer* w = impl->writer.get();
  WebhookWriter* hooks_w = impl->webhook_writer.get();
  Impl* self = impl.get();
  TransactionHooks hooks{
      // A lost connection is made again here, before each batch; BEGIN goes
      // with the batch's first statements.
      [c, hooks_w, self]() -> Result<void> {
        if (auto r = c->ensure(); !r) return self->note(r);
        hooks_w->begin();
        c->defer("BEGIN", {});
        return {};
      },
      // Webhook event ids, then the counts: the order of the rows every
      // transaction locks last (webhook_writer.h).
      [c, w, hooks_w, self]() -> Result<void> {
        hooks_w->flush();
        w->flush_counts();
        w->flush_notice();
        c->defer("COMMIT", {});
        if (auto r = c->flush(); !r) return self->note(r);
        // A COMMIT of a transaction that failed answers ROLLBACK, not an error.
        if (c->in_transaction()) return error_code(Errc::internal);
        return self->note({});
      },
      [c, w, hooks_w]() {
        w->discard_counts();
        hooks_w->discard();
        c->discard_deferred();
        if (c->in_transaction()) (void)c->query("ROLLBACK");
      },
      nullptr,
      nullptr,
      // The webhook sender wakes once what it would read is durable.
      [hooks_w, self]() -> std::function<void()> {
        if (!hooks_w->take_changed()) return nullptr;
        return [self] { self->webhooks->changed(); };
      },
  };
  impl->committer = std::make_unique<GroupCommitter>(
      std::move(hooks), GroupCommitOptions{options.max_batch, options.max_queue, "postgres"},
      metrics, clock);
  impl->link = std::make_unique<PgClusterLink>(options.url);
  impl->inbox_writer = std::make_unique<InboxWriter>(*impl->write_conn, clock);
  impl->inbox = std::make_unique<PgInboxStore>(*impl->committer, *impl->inbox_writer,
                                               PgReads<InboxReader>{*impl->readers});
  impl->events = std::make_unique<PgEventStore>(*impl->committer, *impl->event_writer,
                                                PgReads<EventReader>{*impl->readers});
  impl->routing = std::make_unique<PgRoutingStore>(*impl->committer, *impl->write_conn,
                                                   *impl->readers, clock, options.url);
  impl->webhooks = std::make_unique<PgWebhookStore>(*impl->committer, *impl->webhook_writer,
                                                    PgReads<WebhookReader>{*impl->readers});
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PostgresStore::~PostgresStore() { close(); }

void PostgresStore::close() {
  if (impl_->routing) impl_->routing->close();
  if (impl_->link) impl_->link->leave();
  if (impl_->committer) impl_->committer->stop();
}

ClusterLink& PostgresStore::cluster() { return *impl_->link; }

bool PostgresStore::writable() {
  if (impl_->writable) return true;
  // Away when last tried: an empty transaction tries again (the writer
  // connects before it, within its backoff), one at a time. Intake and
  // the dispatcher's leases try it too, so the node finds the server back
  // whether or not anyone asks here.
  if (!impl_->probing.exchange(true)) {
    impl_->committer->submit<void>([]() -> Result<void> { return {}; },
                                   [self = impl_.get()](Result<void>) { self->probing = false; });
  }
  return impl_->writable;
}

void PostgresStore::enqueue(NewMessage message, Completion<EnqueueResult> done) {
  impl_->write<EnqueueResult>([m = std::move(message)](Writer& w) { return w.enqueue(m); },
                              std::move(done));
}

void PostgresStore::lease(std::string owner, SystemTime now, std::chrono::seconds lease,
                          LeaseLimits limits, Completion<std::vector<LeasedMessage>> done) {
  impl_->write<std::vector<LeasedMessage>>(
      [o = std::move(owner), now, lease, limits](Writer& w) {
        return w.lease(o, now, lease, limits);
      },
      std::move(done));
}

void PostgresStore::record_attempt(std::string owner, AttemptRecord record, Completion<void> done) {
  // Attempts end at a node's delivery rate, and each needs the server's
  // answer (was the lease still held?): one write each would cost the
  // writer a round trip each, and bound delivery by that latency. So an
  // attempt joins the group waiting for the writer, and the first of a
  // group queues the write that takes it whole: the group's statements go
  // in one pipeline. The provider's id is remembered (and the events that
  // came before it applied) in the attempt's own transaction.
  {
    std::lock_guard lock(impl_->attempts_mutex);
    auto& group = impl_->waiting_attempts;
    group.attempts.push_back({std::move(owner), std::move(record)});
    group.done.push_back(std::move(done));
    if (group.attempts.size() > 1) return;
  }
  // The group this write took: a write is applied again alone when its
  // batch failed, and then records the same group.
  auto taken = std::make_shared<Impl::AttemptGroup>();
  impl_->committer->submit<std::vector<Result<void>>>(
      [self = impl_.get(), taken]() -> Result<std::vector<Result<void>>> {
        if (taken->attempts.empty()) *taken = self->take_waiting_attempts();
        auto outcomes = self->writer->record_attempts(taken->attempts);
        if (!outcomes) return outcomes;
        std::vector<EventWriter::ProviderMessageId> named;
        for (std::size_t i = 0; i < outcomes->size(); ++i) {
          const auto& r = taken->attempts[i].record;
          if ((*outcomes)[i] && !r.provider_message_id.empty())
            named.push_back({r.id, r.provider, r.provider_message_id});
        }
        if (auto noted = self->event_writer->note_provider_message_ids(named); !noted)
          return noted.error();
        return outcomes;
      },
      [self = impl_.get(), taken](Result<std::vector<Result<void>>> outcomes) {
        // Refused before it ran (queue full, shutting down): the group
        // still waits, and is answered the same.
        if (taken->attempts.empty()) *taken = self->take_waiting_attempts();
        for (std::size_t i = 0; i < taken->done.size(); ++i) {
          taken->done[i](outcomes ? (*outcomes)[i] : Result<void>(outcomes.error()));
        }
      });
}

void PostgresStore::cancel(MessageId id, Completion<MessageStatus> done) {
  impl_->write<MessageStatus>([id](Writer& w) { return w.cancel(id); }, std::move(done));
}

void PostgresStore::retry(MessageId id, Completion<MessageStatus> done) {
  impl_->write<MessageStatus>([id](Writer& w) { return w.retry(id); }, std::move(done));
}

void PostgresStore::reclaim_leases(std::string owner, SystemTime now,
                                   Completion<std::size_t> done) {
  impl_->write<std::size_t>(
      [o = std::move(owner), now](Writer& w) { return w.reclaim_leases(o, now); }, std::move(done));
}

void PostgresStore::expire_idempotency_keys(SystemTime before, Completion<std::size_t> done) {
  impl_->write<std::size_t>([before](Writer& w) { return w.expire_idempotency_keys(before); },
                            std::move(done));
}

void PostgresStore::purge_ended(SystemTime before, std::size_t limit,
                                Completion<std::size_t> done) {
  impl_->write<std::size_t>([before, limit](Writer& w) { return w.purge_ended(before, limit); },
                            std::move(done));
}

void PostgresStore::create_api_key(StoredApiKey key, Completion<void> done) {
  impl_->write<void>([k = std::move(key)](Writer& w) { return w.create_api_key(k); },
                     std::move(done));
}

void PostgresStore::delete_api_key(std::string name, Completion<void> done) {
  impl_->write<void>([n = std::move(name)](Writer& w) { return w.delete_api_key(n); },
                     std::move(done));
}

void PostgresStore::rotate_api_key(std::string name, std::string secret_hash,
                                   SystemTime previous_valid_until, Completion<void> done) {
  impl_->write<void>([n = std::move(name), h = std::move(secret_hash), previous_valid_until](
                         Writer& w) { return w.rotate_api_key(n, h, previous_valid_until); },
                     std::move(done));
}

void PostgresStore::record_api_key_use(std::vector<ApiKeyUse> uses, Completion<void> done) {
  impl_->write<void>([u = std::move(uses)](Writer& w) { return w.record_api_key_use(u); },
                     std::move(done));
}

void PostgresStore::create_smtp_user(SmtpUser user, Completion<void> done) {
  impl_->write<void>([u = std::move(user)](Writer& w) { return w.create_smtp_user(u); },
                     std::move(done));
}

void PostgresStore::delete_smtp_user(std::string name, Completion<void> done) {
  impl_->write<void>([n = std::move(name)](Writer& w) { return w.delete_smtp_user(n); },
                     std::move(done));
}

void PostgresStore::record_boot(std::string node, SystemTime at, Completion<std::uint64_t> done) {
  impl_->write<std::uint64_t>([n = std::move(node), at](Writer& w) { return w.record_boot(n, at); },
                              std::move(done));
}

Result<MessageDetail> PostgresStore::get_message(MessageId id) {
  return impl_->read([&](Reader& r) { return r.get_message(id); });
}

Result<std::vector<MessageSummary>> PostgresStore::list_messages(const ListFilter& filter) {
  return impl_->read([&](Reader& r) { return r.list_messages(filter); });
}

Result<std::pair<ContentFormat, std::string>> PostgresStore::get_content(MessageId id) {
  return impl_->read([&](Reader& r) { return r.get_content(id); });
}

Result<std::vector<std::int64_t>> PostgresStore::count_by_status() {
  return impl_->read([&](Reader& r) { return r.count_by_status(); });
}

Result<std::vector<StoredApiKey>> PostgresStore::list_api_keys() {
  return impl_->read([&](Reader& r) { return r.list_api_keys(); });
}

Result<std::optional<StoredApiKey>> PostgresStore::api_key_by_hash(const std::string& secret_hash) {
  return impl_->read([&](Reader& r) { return r.api_key_by_hash(secret_hash); });
}

Result<bool> PostgresStore::has_api_keys() {
  return impl_->read([&](Reader& r) { return r.has_api_keys(); });
}

Result<std::vector<SmtpUser>> PostgresStore::list_smtp_users() {
  return impl_->read([&](Reader& r) { return r.list_smtp_users(); });
}

Result<std::uint64_t> PostgresStore::reclaim_content_space() { return std::uint64_t{0}; }

InboxStore& PostgresStore::inbox() { return *impl_->inbox; }
EventStore& PostgresStore::events() { return *impl_->events; }
RoutingStore& PostgresStore::routing() { return *impl_->routing; }

WebhookStore& PostgresStore::webhooks() { return *impl_->webhooks; }

}  // namespace postern::store::postgres
