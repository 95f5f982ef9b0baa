#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <span>

#include "store/await_write.h"
#include "store/group_commit.h"
#include "store/migrations/sqlite_migrations.h"
#include "store/sqlite/checkpointer.h"
#include "store/sqlite/content_compaction.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/event_reader.h"
#include "store/sqlite/event_writer.h"
#include "store/sqlite/inbox_reader.h"
#include "store/sqlite/inbox_writer.h"
#include "store/sqlite/reader.h"
#include "store/sqlite/side_call.h"
#include "store/sqlite/sqlite_event_store.h"
#include "store/sqlite/sqlite_inbox_store.h"
#include "store/sqlite/sqlite_routing_store.h"
#include "store/sqlite/sqlite_webhook_store.h"
#include "store/sqlite/wal_sync.h"
#include "store/sqlite/webhook_reader.h"
#include "store/sqlite/webhook_writer.h"
#include "store/sqlite/writer.h"

namespace postern::store::sqlite {
namespace {

// synchronous=NORMAL with the WAL fsync'd by the committer's sync stage
// (WalSync) before any answer: as durable as FULL, whose only difference is
// that same fsync inside COMMIT, but the writer applies the next batch while
// the disk flushes the last one. NORMAL alone would lose the WAL tail in a
// power cut; every answer waits for the flush, so none is for a lost write.
// Checkpoints run on their own thread (wal_autocheckpoint = 0).
// page_size first: it only takes effect on a new, empty database. Message
// content lies in the content log, not in pages (content_log.h).
constexpr const char* kWriterPragmas[] = {
    "PRAGMA page_size = 4096",       "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",   "PRAGMA busy_timeout = 5000",
    "PRAGMA wal_autocheckpoint = 0", "PRAGMA cache_size = -65536",
    "PRAGMA temp_store = MEMORY",    "PRAGMA journal_size_limit = 67108864",
    "PRAGMA foreign_keys = OFF",
};

int wal_hook(void* checkpointer, sqlite3*, const char*, int frames) {
  static_cast<Checkpointer*>(checkpointer)->committed(frames);
  return SQLITE_OK;
}

}  // namespace

// Members are destroyed bottom-up: the committer stops first, the
// checkpointer (named by the writer connection's WAL hook) goes last.
struct SqliteStore::Impl {
  std::unique_ptr<Checkpointer> checkpointer;
  std::unique_ptr<Database> write_db;
  std::unique_ptr<ContentLog> content;            // used by the writer and the readers
  std::unique_ptr<WebhookWriter> webhook_writer;  // used by the writers below
  std::unique_ptr<Writer> writer;
  std::unique_ptr<InboxWriter> inbox_writer;
  std::unique_ptr<EventWriter> event_writer;
  std::unique_ptr<ReaderPool> readers;
  std::unique_ptr<InboxReaderPool> inbox_readers;
  std::unique_ptr<EventReaderPool> event_readers;
  std::unique_ptr<WebhookReaderPool> webhook_readers;
  std::unique_ptr<WalSync> wal_sync;       // used by the committer's sync stage
  std::unique_ptr<SideCall> content_sync;  // overlaps the content log's sync with the WAL's
  std::unique_ptr<GroupCommitter> committer;
  std::unique_ptr<SqliteInboxStore> inbox;       // uses the committer, goes before it
  std::unique_ptr<SqliteEventStore> events;      // likewise
  std::unique_ptr<SqliteWebhookStore> webhooks;  // likewise
  std::unique_ptr<SqliteRoutingStore> routing;   // likewise
  SoleNode cluster;
  double compact_below = 0;
  // One compaction at a time: retention and the inbox's expiry both reclaim.
  std::mutex compact_mu;
  Counter* compacted_segments = nullptr;
  Counter* moved_bytes = nullptr;

  template <class T, class F>
  void submit(F apply, Completion<T> done) {
    committer->submit<T>(std::move(apply), std::move(done));
  }
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options,
                                                       const Clock& clock,
                                                       MetricsRegistry& metrics) {
  std::error_code fs_ec;
  auto dir = std::filesystem::path(options.path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, fs_ec);
  if (fs_ec) {
    spdlog::error("store: cannot create directory {}: {}", dir.string(), fs_ec.message());
    return error_code(Errc::storage_unavailable);
  }
  auto impl = std::make_unique<Impl>();
  auto db = Database::open(options.path, true);
  if (!db) return db.error();
  impl->write_db = std::move(*db);
  if (!options.fsync) {
    spdlog::warn(
        "store: fsync is OFF: acknowledged mail can be lost in a power cut (store.fsync = false)");
  }
  for (const char* pragma : kWriterPragmas) {
    if (auto r = impl->write_db->exec(pragma); !r) {
      spdlog::error("store: {} failed: {}", pragma, impl->write_db->last_error());
      return r.error();
    }
  }
  if (!options.fsync) (void)impl->write_db->exec("PRAGMA synchronous = OFF");
  if (auto r = migrations::migrate_sqlite(*impl->write_db); !r) {
    spdlog::error("store: migration failed: {}", impl->write_db->last_error());
    return r.error();
  }
  auto content = ContentLog::open(
      options.path + "-content",
      ContentLogOptions{.segment_bytes = options.segment_bytes, .fsync = options.fsync});
  if (!content) return content.error();
  impl->content = std::move(*content);
  impl->compact_below = options.compact_below;
  impl->compacted_segments = &metrics.counter(
      "postern_store_compacted_segments_total",
      "Content segments whose live content was moved out so that they could be removed");
  impl->moved_bytes =
      &metrics.counter("postern_store_compacted_bytes_total",
                       "Bytes of live content copied out of sparse segments (store.compact_below)");
  auto webhook_writer = WebhookWriter::create(*impl->write_db);
  if (!webhook_writer) return webhook_writer.error();
  impl->webhook_writer = std::move(*webhook_writer);
  auto writer = Writer::create(*impl->write_db, *impl->content, clock, *impl->webhook_writer);
  if (!writer) return writer.error();
  impl->writer = std::move(*writer);
  auto inbox_writer = InboxWriter::create(*impl->write_db, *impl->content, clock);
  if (!inbox_writer) return inbox_writer.error();
  impl->inbox_writer = std::move(*inbox_writer);
  auto event_writer = EventWriter::create(*impl->write_db, clock, *impl->webhook_writer);
  if (!event_writer) return event_writer.error();
  impl->event_writer = std::move(*event_writer);

  auto checkpoint_db = Database::open(options.path, false);
  if (!checkpoint_db) return checkpoint_db.error();
  // The checkpoint connection must have the WAL open before it can copy
  // from it; a connection that never read anything reports "not in WAL mode".
  (void)(*checkpoint_db)->exec("PRAGMA busy_timeout = 5000");
  (void)(*checkpoint_db)->exec("PRAGMA journal_mode = WAL");
  impl->checkpointer = std::make_unique<Checkpointer>(
      std::move(*checkpoint_db), WalLimits{},
      metrics.counter(
          "postern_store_wal_holds_total",
          "Times the writer waited for a checkpoint because the WAL outgrew its limit"));
  sqlite3_wal_hook(impl->write_db->handle(), wal_hook, impl->checkpointer.get());

  auto readers = ReaderPool::open(options.readers, [&] {
    return Reader::open(options.path, *impl->content, options.deep_queue);
  });
  if (!readers) return readers.error();
  impl->readers = std::move(*readers);
  auto inbox_readers = InboxReaderPool::open(
      options.readers, [&] { return InboxReader::open(options.path, *impl->content); });
  if (!inbox_readers) return inbox_readers.error();
  impl->inbox_readers = std::move(*inbox_readers);
  auto event_readers =
      EventReaderPool::open(options.readers, [&] { return EventReader::open(options.path); });
  if (!event_readers) return event_readers.error();
  impl->event_readers = std::move(*event_readers);
  auto webhook_readers =
      WebhookReaderPool::open(options.readers, [&] { return WebhookReader::open(options.path); });
  if (!webhook_readers) return webhook_readers.error();
  impl->webhook_readers = std::move(*webhook_readers);

  Database* wdb = impl->write_db.get();
  Writer* counts = impl->writer.get();
  ContentLog* content_log = impl->content.get();
  WebhookWriter* webhooks = impl->webhook_writer.get();
  Impl* self = impl.get();
  TransactionHooks hooks{
      [wdb]() { return wdb->exec("BEGIN IMMEDIATE"); },
      [wdb, counts, content_log]() -> Result<void> {
        if (auto r = counts->flush_counts(); !r) return r;
        // The content before the rows that reference it become visible.
        if (auto r = content_log->write_pending(); !r) return r;
        if (auto r = wdb->exec("COMMIT"); !r) return r;
        content_log->note_committed();
        return {};
      },
      [wdb, counts, content_log, webhooks]() {
        counts->discard_counts();
        content_log->discard_pending();
        (void)wdb->exec("ROLLBACK");
        webhooks->discard();
      },
      [checkpointer = impl->checkpointer.get()] { checkpointer->hold_to_limit(); },
      nullptr,
      // The webhook sender wakes once what it would read is durable.
      [webhooks, self]() -> std::function<void()> {
        if (!webhooks->take_changed()) return nullptr;
        return [self] { self->webhooks->changed(); };
      },
  };
  if (options.fsync) {
    impl->wal_sync = std::make_unique<WalSync>(options.path);
    // Both before any answer, in any order: a row that reaches the disk
    // before its content is caught by the content's checksum (content_log.h).
    impl->content_sync =
        std::make_unique<SideCall>("content-sync", [content_log] { return content_log->sync(); });
    hooks.flush = [content = impl->content_sync.get(),
                   wal = impl->wal_sync.get()]() -> Result<void> {
      content->start();
      auto wal_synced = wal->flush();
      auto content_synced = content->wait();
      if (!wal_synced) return wal_synced;
      return content_synced;
    };
  }
  impl->committer = std::make_unique<GroupCommitter>(
      std::move(hooks), GroupCommitOptions{options.max_batch, options.max_queue, "sqlite"}, metrics,
      clock);
  impl->inbox = std::make_unique<SqliteInboxStore>(*impl->committer, *impl->inbox_writer,
                                                   *impl->inbox_readers);
  impl->events = std::make_unique<SqliteEventStore>(*impl->committer, *impl->event_writer,
                                                    PooledReads<EventReader>{*impl->event_readers});
  auto routing = SqliteRoutingStore::open(*impl->committer, *impl->write_db, options.path, clock);
  if (!routing) return routing.error();
  impl->routing = std::move(*routing);
  impl->webhooks = std::make_unique<SqliteWebhookStore>(
      *impl->committer, *impl->webhook_writer, PooledReads<WebhookReader>{*impl->webhook_readers});
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::close() {
  if (impl_->committer) impl_->committer->stop();
}

void SqliteStore::enqueue(NewMessage message, Completion<EnqueueResult> done) {
  auto* w = impl_->writer.get();
  impl_->submit<EnqueueResult>([w, m = std::move(message)]() { return w->enqueue(m); },
                               std::move(done));
}

void SqliteStore::lease(std::string owner, SystemTime now, std::chrono::seconds lease,
                        LeaseLimits limits, Completion<std::vector<LeasedMessage>> done) {
  auto* w = impl_->writer.get();
  impl_->submit<std::vector<LeasedMessage>>(
      [w, owner = std::move(owner), now, lease, limits]() {
        return w->lease(owner, now, lease, limits);
      },
      std::move(done));
}

void SqliteStore::record_attempt(std::string owner, AttemptRecord record, Completion<void> done) {
  auto* w = impl_->writer.get();
  auto* events = impl_->event_writer.get();
  // In the attempt's own transaction: the provider's id is remembered (and
  // the events that came before it applied) exactly when the attempt is.
  impl_->submit<void>(
      [w, events, owner = std::move(owner), r = std::move(record)]() -> Result<void> {
        if (auto done = w->record_attempt(owner, r); !done) return done;
        if (r.provider_message_id.empty()) return {};
        return events->note_provider_message_id(r.id, r.provider, r.provider_message_id);
      },
      std::move(done));
}

void SqliteStore::cancel(MessageId id, Completion<MessageStatus> done) {
  auto* w = impl_->writer.get();
  impl_->submit<MessageStatus>([w, id]() { return w->cancel(id); }, std::move(done));
}

void SqliteStore::retry(MessageId id, Completion<MessageStatus> done) {
  auto* w = impl_->writer.get();
  impl_->submit<MessageStatus>([w, id]() { return w->retry(id); }, std::move(done));
}

void SqliteStore::reclaim_leases(std::string owner, SystemTime now, Completion<std::size_t> done) {
  auto* w = impl_->writer.get();
  impl_->submit<std::size_t>([w, o = std::move(owner), now]() { return w->reclaim_leases(o, now); },
                             std::move(done));
}

void SqliteStore::expire_idempotency_keys(SystemTime before, Completion<std::size_t> done) {
  auto* w = impl_->writer.get();
  impl_->submit<std::size_t>([w, before]() { return w->expire_idempotency_keys(before); },
                             std::move(done));
}

void SqliteStore::purge_ended(SystemTime before, std::size_t limit, Completion<std::size_t> done) {
  auto* w = impl_->writer.get();
  impl_->submit<std::size_t>([w, before, limit]() { return w->purge_ended(before, limit); },
                             std::move(done));
}

void SqliteStore::create_api_key(StoredApiKey key, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>([w, k = std::move(key)]() { return w->create_api_key(k); }, std::move(done));
}

void SqliteStore::delete_api_key(std::string name, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>([w, n = std::move(name)]() { return w->delete_api_key(n); }, std::move(done));
}

void SqliteStore::rotate_api_key(std::string name, std::string secret_hash,
                                 SystemTime previous_valid_until, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>(
      [w, n = std::move(name), h = std::move(secret_hash), previous_valid_until]() {
        return w->rotate_api_key(n, h, previous_valid_until);
      },
      std::move(done));
}

void SqliteStore::record_api_key_use(std::vector<ApiKeyUse> uses, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>([w, u = std::move(uses)]() { return w->record_api_key_use(u); },
                      std::move(done));
}

void SqliteStore::create_smtp_user(SmtpUser user, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>([w, u = std::move(user)]() { return w->create_smtp_user(u); },
                      std::move(done));
}

void SqliteStore::delete_smtp_user(std::string name, Completion<void> done) {
  auto* w = impl_->writer.get();
  impl_->submit<void>([w, n = std::move(name)]() { return w->delete_smtp_user(n); },
                      std::move(done));
}

void SqliteStore::record_boot(std::string node, SystemTime at, Completion<std::uint64_t> done) {
  auto* w = impl_->writer.get();
  impl_->submit<std::uint64_t>([w, n = std::move(node), at]() { return w->record_boot(n, at); },
                               std::move(done));
}

Result<MessageDetail> SqliteStore::get_message(MessageId id) {
  return impl_->readers->borrow()->get_message(id);
}

Result<std::vector<MessageSummary>> SqliteStore::list_messages(const ListFilter& filter) {
  return impl_->readers->borrow()->list_messages(filter);
}

Result<std::pair<ContentFormat, std::string>> SqliteStore::get_content(MessageId id) {
  return impl_->readers->borrow()->get_content(id);
}

Result<std::vector<std::int64_t>> SqliteStore::count_by_status() {
  return impl_->readers->borrow()->count_by_status();
}

Result<std::vector<StoredApiKey>> SqliteStore::list_api_keys() {
  return impl_->readers->borrow()->list_api_keys();
}

Result<std::optional<StoredApiKey>> SqliteStore::api_key_by_hash(const std::string& secret_hash) {
  return impl_->readers->borrow()->api_key_by_hash(secret_hash);
}

Result<void> SqliteStore::compact_content() {
  if (impl_->compact_below <= 0) return {};
  std::lock_guard one_at_a_time(impl_->compact_mu);
  // The floor before the search: every reference into a segment below it
  // is committed, so the search sees it.
  auto sizes = impl_->content->closed_segment_sizes(impl_->content->committed_floor());
  auto live = impl_->readers->borrow()->live_content_by_segment();
  if (!live) return live.error();
  auto targets = segments_to_compact(sizes, *live, impl_->compact_below);
  if (targets.empty()) return {};
  auto rows = impl_->readers->borrow()->rows_in_segments(targets);
  if (!rows) return rows.error();
  // A transaction per segment, or per kMoveRows of its rows, so that
  // intake waits for one short move at a time.
  constexpr std::size_t kMoveRows = 512;
  std::span<const LiveRow> left(*rows);
  while (!left.empty()) {
    auto segment = left.front().segment;
    std::size_t skipped = 0;
    while (!left.empty() && left.front().segment == segment) {
      std::size_t n = 0;
      while (n < left.size() && n < kMoveRows && left[n].segment == segment) ++n;
      auto chunk = left.first(n);
      left = left.subspan(n);
      auto* db = impl_->write_db.get();
      auto* log = impl_->content.get();
      // Answered once the sync stage made the commit durable (step 2).
      auto moved = await_write<MoveResult>([&](auto done) {
        impl_->submit<MoveResult>([db, log, chunk] { return move_content(*db, *log, chunk); },
                                  std::move(done));
      });
      if (!moved) return moved.error();
      skipped += moved->skipped;
      impl_->moved_bytes->inc(moved->bytes);
    }
    if (skipped == 0) impl_->compacted_segments->inc();
  }
  return {};
}

ClusterLink& SqliteStore::cluster() { return impl_->cluster; }

Result<std::uint64_t> SqliteStore::reclaim_content_space() {
  if (auto r = compact_content(); !r) return r.error();
  // Step 3: the segments moved out of are no longer referenced.
  return impl_->content->reclaim([this]() -> Result<std::set<std::uint32_t>> {
    auto messages = impl_->readers->borrow()->referenced_content_segments();
    if (!messages) return messages;
    auto blobs = impl_->inbox->referenced_content_segments();
    if (!blobs) return blobs;
    messages->merge(*blobs);
    return messages;
  });
}

InboxStore& SqliteStore::inbox() { return *impl_->inbox; }

EventStore& SqliteStore::events() { return *impl_->events; }

RoutingStore& SqliteStore::routing() { return *impl_->routing; }
WebhookStore& SqliteStore::webhooks() { return *impl_->webhooks; }

Result<bool> SqliteStore::has_api_keys() { return impl_->readers->borrow()->has_api_keys(); }

Result<std::vector<SmtpUser>> SqliteStore::list_smtp_users() {
  return impl_->readers->borrow()->list_smtp_users();
}

}  // namespace postern::store::sqlite
