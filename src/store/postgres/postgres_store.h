// The PostgreSQL backend of the node's store (cluster mode,
// store.backend = "postgres"): any number of Postern nodes share one
// database. The Store interface itself (messages, content, events, API
// keys, SMTP users, idempotency keys, boots), with the test inbox
// (inbox()), provider events and suppressions (events()), run-time routing
// (routing()) and webhooks out (webhooks()) (docs/operations.md
// "PostgreSQL backend").
//
// Threads, not the io runtime. The store runs libpq in blocking mode on
// threads of its own, as the SQLite store runs SQLite: writes go through the
// same group committer (store/group_commit.h) on one writer connection,
// reads run on the caller's thread on a connection borrowed from a small
// pool. Why:
//  - The Store contract is the same for both backends: completions on the
//    writer's thread after a durable commit, and synchronous reads from any
//    thread (the dispatcher, retention, the CLI and the HTTP handlers all
//    call them so). A store on the io runtime would need an asynchronous
//    read interface first, and every caller changed with it.
//  - Group commit wants one ordered stream of writes per node; the group
//    committer already is that, with its metrics, batching and retry of a
//    failed batch one write at a time.
//  - What the io runtime would save is a thread parked on the network per
//    connection: a handful here, against the server's own cost per
//    connection, which bounds the pool long before threads do.
// What makes one node's intake on PostgreSQL fast is not the thread model
// but round trips: a batch's new messages, events and counts are deferred
// and sent with its COMMIT in libpq's pipeline mode (connection.h), so a
// batch of a thousand messages is a few round trips and one WAL flush.
//
// Durability: the writer's session runs with synchronous_commit = on, so a
// completion that reports success follows a COMMIT the server flushed to
// its WAL (and, with synchronous replication configured on the server, to
// a standby). A connection lost during COMMIT leaves the outcome unknown:
// the writes are answered with storage_unavailable, and a client that
// sends again may make a duplicate (delivery is at-least-once).
//
// Leases name their owner and expire (lease_until); leasing takes rows
// with FOR UPDATE SKIP LOCKED, so nodes leasing at once never wait on each
// other nor take the same message. A node's name, its wake-ups by other
// nodes and the lead of the once-per-cluster jobs are the cluster link's
// (pg_cluster_link.h).
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "store/node_store.h"

namespace postern::store::postgres {

struct PostgresOptions {
  // store.url: a libpq connection string, key/value or postgresql:// URI,
  // several hosts allowed (with target_session_attrs=read-write the store
  // follows a failover).
  std::string url;
  std::size_t max_batch = 2048;
  std::size_t max_queue = 65536;
  std::size_t readers = 4;  // pooled reader connections
};

class PostgresStore final : public NodeStore {
 public:
  // Connects, applies migrations (one node at a time: migrations.h) and
  // starts the writer. Errors: storage_unavailable (cannot connect),
  // conflict (database written by a newer version).
  static Result<std::unique_ptr<PostgresStore>> open(const PostgresOptions& options,
                                                     const Clock& clock, MetricsRegistry& metrics);
  ~PostgresStore() override;

  void enqueue(NewMessage message, Completion<EnqueueResult> done) override;
  void lease(std::string owner, SystemTime now, std::chrono::seconds lease, LeaseLimits limits,
             Completion<std::vector<LeasedMessage>> done) override;
  void record_attempt(std::string owner, AttemptRecord record, Completion<void> done) override;
  void cancel(MessageId id, Completion<MessageStatus> done) override;
  void retry(MessageId id, Completion<MessageStatus> done) override;
  void reclaim_leases(std::string owner, SystemTime now, Completion<std::size_t> done) override;
  void expire_idempotency_keys(SystemTime before, Completion<std::size_t> done) override;
  void purge_ended(SystemTime before, std::size_t limit, Completion<std::size_t> done) override;
  void create_api_key(StoredApiKey key, Completion<void> done) override;
  void delete_api_key(std::string name, Completion<void> done) override;
  void rotate_api_key(std::string name, std::string secret_hash, SystemTime previous_valid_until,
                      Completion<void> done) override;
  void record_api_key_use(std::vector<ApiKeyUse> uses, Completion<void> done) override;
  void create_smtp_user(SmtpUser user, Completion<void> done) override;
  void delete_smtp_user(std::string name, Completion<void> done) override;
  void record_boot(std::string node, SystemTime at, Completion<std::uint64_t> done) override;
  Result<MessageDetail> get_message(MessageId id) override;
  Result<std::vector<MessageSummary>> list_messages(const ListFilter& filter) override;
  Result<std::pair<ContentFormat, std::string>> get_content(MessageId id) override;
  Result<std::vector<std::int64_t>> count_by_status() override;
  Result<std::vector<StoredApiKey>> list_api_keys() override;
  Result<std::optional<StoredApiKey>> api_key_by_hash(const std::string& secret_hash) override;
  Result<bool> has_api_keys() override;
  Result<std::vector<SmtpUser>> list_smtp_users() override;
  // Content lives in the database: the server's (auto)vacuum frees the
  // space of deleted rows, so there is nothing to do here. Answers 0.
  Result<std::uint64_t> reclaim_content_space() override;
  // Advisory locks and LISTEN/NOTIFY on a session of its own
  // (pg_cluster_link.h).
  ClusterLink& cluster() override;
  void close() override;

  // The test inbox, in this database (pg_inbox_store.h).
  InboxStore& inbox() override;
  // Provider events and the suppression list, in this database and
  // written through this store's writer (lives as long as this object).
  EventStore& events() override;
  // Providers and routing settings changed at run time, shared by every
  // node on the database (pg_routing_store.h).
  RoutingStore& routing() override;
  // Webhooks out, queues leased by the senders of every node
  // (pg_webhook_store.h).
  WebhookStore& webhooks() override;
  // False from a transaction that could not reach the server until one
  // commits again; while false, each call queues an empty transaction (one
  // at a time) that tries the server again.
  bool writable() override;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::store::postgres
