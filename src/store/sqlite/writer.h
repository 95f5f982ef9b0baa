// The write operations of the SQLite store. Each runs on the group-commit
// writer thread inside an open transaction; none commits by itself. Message
// content goes to the content log, whose sync the store orders before the
// WAL's.
#pragma once

#include <array>
#include <memory>

#include "core/clock.h"
#include "core/message_id.h"
#include "store/lease_room.h"
#include "store/sqlite/content_log.h"
#include "store/sqlite/database.h"
#include "store/sqlite/webhook_writer.h"
#include "store/store.h"

namespace postern::store::sqlite {

class Writer {
 public:
  // `webhooks` records the webhook events of its changes (outlives it).
  static Result<std::unique_ptr<Writer>> create(Database& db, ContentLog& content,
                                                const Clock& clock, WebhookWriter& webhooks);
  ~Writer();

  Result<EnqueueResult> enqueue(const NewMessage& message);
  Result<std::vector<LeasedMessage>> lease(const std::string& owner, SystemTime now,
                                           std::chrono::seconds lease, LeaseLimits limits);
  Result<void> record_attempt(const std::string& owner, const AttemptRecord& record);
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
  Result<std::uint64_t> record_boot(const std::string& node, SystemTime at);
  Result<void> create_smtp_user(const SmtpUser& user);

  // status_counts changes are summed over a transaction and written once,
  // before its commit (one UPDATE per status rather than per message).
  Result<void> flush_counts();
  // The transaction rolled back: forget its changes to the counts.
  void discard_counts();
  Result<void> delete_smtp_user(const std::string& name);

 private:
  struct Statements;
  Writer(Database& db, ContentLog& content, const Clock& clock, WebhookWriter& webhooks,
         std::unique_ptr<Statements> statements);

  // Adjusts status_counts for a transition (from may be empty for inserts).
  Result<void> count_transition(std::optional<MessageStatus> from, MessageStatus to);
  void move_count(MessageStatus status, std::int64_t delta);
  Result<void> insert_event(MessageId id, std::int64_t seq, const Event& event);
  // Runs a reclaim statement (bound; its rows are id, event_seq) and
  // records a "reclaimed" event saying `why` for each message.
  Result<std::size_t> requeue_leased(Statement& s, SystemTime now, std::string_view why);
  // A user's cancel or retry: runs `change` (binding the id and the time;
  // no row means the message is no longer in a state it applies to, a
  // conflict), then records the event and the counts.
  Result<MessageStatus> change_by_request(Statement& change, MessageId id, MessageStatus before,
                                          MessageStatus after, std::string type, std::string detail,
                                          WebhookType webhook);
  // Status of an existing message, or not_found.
  Result<MessageStatus> status_of(MessageId id);
  Result<std::string> content_of(MessageId id);
  // Ends a just-leased message (status failed) that must not be sent: its
  // content cannot be read, or every recipient is suppressed (a manual
  // retry of such a message reaches a lease so).
  Result<void> fail_leased(const std::string& owner, MessageId id, std::string failure_class,
                           std::string code, std::string detail, bool counts_as_attempt);
  // Leases up to `limit` messages of one queue (status `from`) into `out`,
  // within the content bytes `room` has left.
  Result<std::size_t> lease_from(Statement& s, MessageStatus from, const std::string& owner,
                                 SystemTime now, std::chrono::seconds lease, std::size_t limit,
                                 const LeaseRoom& room, std::vector<LeasedMessage>& out);

  Database& db_;
  ContentLog& content_;
  const Clock& clock_;
  WebhookWriter& webhooks_;
  MessageIdGenerator ids_;
  std::unique_ptr<Statements> st_;
  std::array<std::int64_t, kMessageStatusCount> pending_counts_{};
};

}  // namespace postern::store::sqlite
