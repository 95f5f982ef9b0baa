// The write operations of the PostgreSQL store. Each runs on the
// group-commit writer thread inside the open transaction of its batch; none
// commits by itself. What needs no answer (a new message's rows, events,
// the status counts) is deferred and goes to the server pipelined with the
// batch's COMMIT, so a batch of new messages is one round trip.
//
// Unlike SQLite, PostgreSQL aborts the whole transaction at any failed
// statement, so no answer here comes from a statement's error: conflicts
// and not_found are read from what a statement touched (ON CONFLICT DO
// NOTHING, affected rows, RETURNING).
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "core/clock.h"
#include "core/message_id.h"
#include "store/lease_room.h"
#include "store/postgres/connection.h"
#include "store/postgres/webhook_writer.h"
#include "store/store.h"

namespace postern::store::postgres {

// One attempt of a group (Writer::record_attempts): the lease's owner and
// what the attempt found.
struct OwnedAttempt {
  std::string owner;
  AttemptRecord record;
};

class Writer {
 public:
  // `webhooks` records the webhook events of its changes (outlives it).
  Writer(Connection& c, const Clock& clock, WebhookWriter& webhooks);

  Result<EnqueueResult> enqueue(const NewMessage& message);
  Result<std::vector<LeasedMessage>> lease(const std::string& owner, SystemTime now,
                                           std::chrono::seconds lease, LeaseLimits limits);
  Result<void> record_attempt(const std::string& owner, const AttemptRecord& record);
  // Records a group of attempts with one round trip to the server for all
  // of them: each one's answer, not_found for a lease that was lost.
  Result<std::vector<Result<void>>> record_attempts(const std::vector<OwnedAttempt>& group);
  Result<MessageStatus> cancel(MessageId id);
  Result<MessageStatus> retry(MessageId id);
  Result<std::size_t> reclaim_leases(const std::string& owner, SystemTime now);
  Result<std::size_t> expire_idempotency_keys(SystemTime before);
  Result<std::size_t> purge_ended(SystemTime before, std::size_t limit);
  Result<void> create_api_key(const StoredApiKey& key);
  Result<void> delete_api_key(const std::string& name);
  Result<void> rotate_api_key(const std::string& name, const std::string& secret_hash,
                              SystemTime previous_valid_until);
  Result<void> record_api_key_use(const std::vector<ApiKeyUse>& uses);
  Result<void> create_smtp_user(const SmtpUser& user);
  Result<void> delete_smtp_user(const std::string& name);
  Result<std::uint64_t> record_boot(const std::string& node, SystemTime at);

  // Status count changes are summed over a transaction and written once
  // before its commit, to this writer's shard of the counts (schema
  // migration 9), a row per status in status order (so two writers that
  // share a shard never wait on each other's rows in opposite orders).
  void flush_counts();
  // When the transaction queued mail, a NOTIFY on kWorkChannel (pg_cluster_link.h), deferred
  // before its COMMIT: PostgreSQL delivers it to the other nodes' listeners
  // (cluster_link.h) at the commit, and not at all on a rollback.
  void flush_notice();
  // The transaction rolled back: forget its changes to the counts.
  void discard_counts() {
    pending_counts_.fill(0);
    work_queued_ = false;
  }

 private:
  void move_count(MessageStatus status, std::int64_t delta);
  // Runs a statement that touches one row, or none: then `if_none`.
  Result<void> one_row(const char* sql, const Params& params, Errc if_none);
  void insert_event(MessageId id, std::int64_t seq, const Event& event);
  // Queues again the leased messages `which` (a condition on messages with
  // $1; $2 is `now`) picks, with a "reclaimed" event saying `why`.
  Result<std::size_t> requeue_leased(std::string_view which, const Params& params, SystemTime now,
                                     std::string_view why);
  // The idempotency key of a new message: nullopt when it is new (and now
  // recorded for `id`), else the earlier request's answer or a conflict.
  Result<std::optional<EnqueueResult>> claim_idempotency_key(const NewMessage& m, MessageId id,
                                                             SystemTime now);
  Result<MessageStatus> status_of(MessageId id);
  // An attempt's change to its message, whose answer (a row, or none when
  // the lease was lost) attempt_recorded() takes.
  Statement attempt_statement(const std::string& owner, const AttemptRecord& record,
                              SystemTime now);
  Result<void> attempt_recorded(const AttemptRecord& record, const Rows& row, SystemTime now);
  // A user's cancel or retry: runs `sql` (binding the id and the time; no
  // row means the message is no longer in a state it applies to, a
  // conflict), then records the event and the counts.
  Result<MessageStatus> change_by_request(const char* sql, MessageId id, MessageStatus before,
                                          MessageStatus after, std::string type, std::string detail,
                                          WebhookType webhook);
  Result<std::size_t> lease_from(MessageStatus from, const std::string& owner, SystemTime now,
                                 std::chrono::seconds lease, std::size_t limit,
                                 const LeaseRoom& room, std::vector<LeasedMessage>& out);

  Connection& c_;
  const Clock& clock_;
  WebhookWriter& webhooks_;
  MessageIdGenerator ids_;
  std::array<std::int64_t, kMessageStatusCount> pending_counts_{};
  bool work_queued_ = false;  // this transaction queued mail: flush_notice()
  // Shards of the status counts: enough that the writers of a cluster
  // rarely share one, few enough that a count sums a few hundred rows.
  static constexpr unsigned kCountShards = 64;
  int count_shard_;  // this writer's
};

}  // namespace postern::store::postgres
