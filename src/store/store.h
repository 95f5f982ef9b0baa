// The Store: durable queue of messages, their recipients and event timeline,
// API keys and idempotency keys. One interface, so that every backend keeps
// the same contract and passes the same tests: SQLite (store/sqlite/, one
// node) and PostgreSQL (store/postgres/, several nodes on one database).
//
// Writes are asynchronous and group-committed: every write from every
// connection is queued to one writer, which applies a batch in one
// transaction and one fsync, then calls each operation's completion. A
// completion that reports success means the change is durable. The fsync
// may run after the commit (while the next batch is applied), so a read can
// see a change a moment before its completion reports it durable.
//
// Completions run on the writer's thread (or its sync stage's), or inline on
// the caller's thread for a write refused at once (overloaded,
// shutting_down); they must be quick and must not call back into the store
// synchronously (post the work elsewhere instead).
// Reads are synchronous, safe from any thread, and see committed data.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"
#include "core/message_id.h"
#include "core/status.h"
#include "store/cluster_link.h"

namespace postern::store {

// A message as accepted at intake, before it has an id.
struct NewMessage {
  ContentFormat format = ContentFormat::json;
  std::string content;  // JSON or raw RFC 5322, per format
  Envelope envelope;
  std::string subject;
  std::vector<std::string> tags;
  std::string submitted_by;  // API key or SMTP user name; "" for trusted callers
  std::string source;        // "http" or "smtp", recorded in the first event
  // The test account (store::AccountId, inbox_store.h) whose credentials
  // sent it: the message is caught into that account's INBOX and never
  // relayed, whatever the routing says (docs/inbox.md "How mail is
  // caught"). 0 for ordinary mail.
  std::int64_t catch_account = 0;
  // Recipients of the envelope on the suppression list at intake
  // (event_store.h): kept with the message, left out of every lease, so no
  // provider is ever asked to send to them (docs/events.md).
  std::vector<std::string> suppressed;
  // Optional: the scoped idempotency key and a hash of the request it came with.
  std::string idempotency_key;
  std::string request_hash;
};

struct EnqueueResult {
  MessageId id;
  MessageStatus status = MessageStatus::queued;
  bool replayed = false;  // idempotency: an earlier request with this key and body won
};

// What a worker needs to attempt a delivery.
struct LeasedMessage {
  MessageId id;
  SystemTime created_at;
  SystemTime window_start;  // retries stop at window_start + max age
  int attempts = 0;         // attempts made before this lease
  ContentFormat format = ContentFormat::json;
  std::string content;
  Envelope envelope;
  std::vector<std::string> tags;
  std::string last_provider;       // provider of the previous attempt, to try elsewhere first
  std::int64_t catch_account = 0;  // as NewMessage's: caught, never relayed
};

// How much one lease may take: `messages` at most, and messages whose
// content sizes (LeasedMessage::content, as stored: known from the row
// without reading the content) sum to `bytes` at most. With
// `oversized_first`, the first message is taken whatever its size, so a
// message larger than the cap still goes, alone; without it (a caller that
// has other messages in flight and waits for them rather than pass its
// cap), a lease whose first message does not fit takes none. Implicit
// from a count: a lease without a byte cap.
struct LeaseLimits {
  static constexpr std::uint64_t kNoByteCap = std::numeric_limits<std::uint64_t>::max();
  LeaseLimits(std::size_t messages, std::uint64_t bytes = kNoByteCap,  // NOLINT: a count is a limit
              bool oversized_first = true)
      : messages(messages), bytes(bytes), oversized_first(oversized_first) {}
  std::size_t messages;
  std::uint64_t bytes;
  bool oversized_first;
};

// The outcome of one delivery attempt, recorded as an event, and the status
// it moves the message to.
struct AttemptRecord {
  MessageId id;
  MessageStatus next_status = MessageStatus::sent;  // sent, deferred or failed
  SystemTime next_attempt_at{};                     // for deferred
  std::string provider;
  std::string failure_class;  // ok, transient, provider_down, permanent
  std::string code;           // provider's code (HTTP status, SMTP reply, API error code)
  std::string detail;
  std::string provider_message_id;
  std::chrono::microseconds latency{0};
  // Recipients this attempt is done with although the message is not
  // (SendResult::settled_recipients): later leases leave them out.
  std::vector<std::string> settled_recipients;
  // Of those, the ones refused for good (SendResult::refused_recipients): a
  // manual retry takes them back.
  std::vector<std::string> refused_recipients;
  // False for a part of a message sent in parts that settled its
  // recipients: the message moved on and spent no try, so the retry
  // policy's count (failover at once for the first tries, then back-off)
  // does not grow with the number of parts.
  bool counts_as_attempt = true;
};

struct Event {
  int seq = 0;
  SystemTime at;
  std::string type;  // accepted, attempt, sent, deferred, failed, cancelled, retried, reclaimed,
                     // quarantined
  MessageStatus status = MessageStatus::queued;  // status after the event
  std::string provider;
  std::string failure_class;
  std::string code;
  std::chrono::microseconds latency{0};
  std::string detail;
  // The recipient a provider's report (type delivered, bounced, ...) is
  // about; empty for the message's own events.
  std::string recipient;
};

// One recipient's state as its provider last reported it (the report with
// the latest time wins; event_store.h, docs/events.md).
struct RecipientState {
  std::string address;  // as the message's envelope spells it
  std::string state;    // events::RecipientEventType's name
  SystemTime at{};
  std::string detail;
  std::string provider;
};

struct MessageSummary {
  MessageId id;
  MessageStatus status = MessageStatus::queued;
  SystemTime created_at;
  SystemTime updated_at;
  SystemTime next_attempt_at;
  int attempts = 0;
  std::string sender;
  std::vector<Recipient> recipients;
  // Recipients an attempt was done with while others still wait
  // (AttemptRecord::settled_recipients), in the order they were settled:
  // those that have it first, then those refused for good.
  std::vector<std::string> settled_recipients;
  // Of those, the recipients refused for good since the last manual retry.
  std::vector<std::string> refused_recipients;
  // Recipients left out at intake because they were on the suppression list.
  std::vector<std::string> suppressed_recipients;
  std::string subject;
  std::vector<std::string> tags;
  std::size_t size = 0;
  ContentFormat format = ContentFormat::json;
  std::string provider;
  std::string provider_message_id;
  std::string last_error;
};

struct MessageDetail {
  MessageSummary summary;
  std::vector<Event> events;
  // Recipients a provider reported on, in address order.
  std::vector<RecipientState> recipient_states;
};

// A search of the message log: every filter given must match. Pages are
// newest first, by id (time-ordered), so a page's last id is the next
// page's cursor: messages that arrive meanwhile come before the first page
// and never shift a later one.
struct ListFilter {
  std::optional<MessageStatus> status;
  std::optional<SystemTime> since;  // created at or after
  std::optional<SystemTime> until;  // created before
  std::optional<MessageId> before;  // cursor: ids strictly smaller (newest first)
  // The provider of the last attempt (MessageSummary::provider); not empty.
  std::optional<std::string> provider;
  // One of the envelope's recipients (to, cc or bcc), exactly but for the
  // case of its domain (as suppression_key compares, event_store.h).
  std::optional<std::string> recipient;
  std::optional<std::string> tag;  // one of the message's tags, exactly
  std::size_t limit = 50;
};

struct ApiKey {
  std::string name;
  std::vector<std::string> scopes;
  SystemTime created_at;
  // A key bound to a test account (store::AccountId): the mail it sends is
  // caught into that account's INBOX (docs/inbox.md "Sending over HTTP").
  // 0 for an ordinary key.
  std::int64_t catch_account = 0;
  // The bound account's user name: filled by list_api_keys, ignored when
  // creating.
  std::string test_account;
  // Past this the key is refused (401 "expired"); nullopt: never.
  std::optional<SystemTime> expires_at;
  // When a request last used it, written in batches (record_api_key_use):
  // up to a flush interval late. nullopt: never used.
  std::optional<SystemTime> last_used_at;
  // After a rotation: until when the previous secret still works.
  std::optional<SystemTime> previous_valid_until;
  // previous_valid_until while it is still ahead of `now`: what a listing
  // shows (a grace period that ended is no longer news).
  std::optional<SystemTime> previous_hash_valid_until(SystemTime now) const {
    if (previous_valid_until && *previous_valid_until > now) return previous_valid_until;
    return std::nullopt;
  }
};

// A key as stored: the secret is never stored, only its SHA-256.
struct StoredApiKey {
  ApiKey key;
  std::string secret_hash;  // raw 32 bytes
  // The secret before the last rotation (raw 32 bytes), valid until
  // key.previous_valid_until; "" for none.
  std::string previous_hash;
};

// When a key was last used, as the authenticator gathers them between
// flushes.
struct ApiKeyUse {
  std::string name;
  SystemTime at;
};

// An SMTP login (RFC 4954 AUTH) that is not an API key: the password is
// stored as an Argon2id hash string (libsodium crypto_pwhash_str).
struct SmtpUser {
  std::string name;
  std::string password_hash;
  std::vector<std::string> scopes;
  SystemTime created_at;
};

template <class T>
using Completion = std::function<void(Result<T>)>;

class Store {
 public:
  virtual ~Store() = default;

  // --- Writes (group-committed; completion runs on the writer thread) ---

  // Stores a new message with status queued and an "accepted" event.
  // With an idempotency key already seen: the same request hash answers the
  // first result with replayed=true; another hash fails with Errc::conflict.
  // Errors: storage_full (disk full), storage_unavailable, overloaded (too
  // many writes queued), shutting_down.
  virtual void enqueue(NewMessage message, Completion<EnqueueResult> done) = 0;

  // Leases messages due at `now`, within `limits` (count and content
  // bytes): deferred ones first, up to half the count, then queued ones,
  // then deferred ones again if room is left (neither queue starves the
  // other); oldest due first within each. The byte cap stops a queue at
  // its first message that does not fit. They become `sending`, owned by
  // `owner` until now + lease. A lease that expires returns the message to
  // the queue (see reclaim_leases).
  virtual void lease(std::string owner, SystemTime now, std::chrono::seconds lease,
                     LeaseLimits limits, Completion<std::vector<LeasedMessage>> done) = 0;

  // Records an attempt and moves a leased message on. Fails with not_found
  // when the message is no longer leased by `owner` (lease lost).
  virtual void record_attempt(std::string owner, AttemptRecord record, Completion<void> done) = 0;

  // queued/deferred/quarantined -> cancelled (quarantined mail so that
  // retention deletes it). conflict when the message is being sent, sent,
  // failed or already cancelled; not_found for an unknown id.
  virtual void cancel(MessageId id, Completion<MessageStatus> done) = 0;

  // deferred/failed/cancelled/quarantined, and sent while some recipients
  // were refused for good (the retry goes to them alone) -> queued, due
  // now, with a fresh retry window. conflict when queued, sending, or sent
  // to every recipient; not_found for an unknown id.
  virtual void retry(MessageId id, Completion<MessageStatus> done) = 0;

  // Returns to the queue, due at `now`, each with a "reclaimed" event:
  // messages whose lease ended before `now`, and, when `owner` is not
  // empty, every message `owner` leased, whatever its lease's end. Answers
  // how many. A node at start passes its own name (ClusterLink::join): what
  // its previous run left leased goes again at once, while the live leases
  // of the other nodes sharing the store are left to them; the periodic
  // reclaim passes "" (expired leases only, whoever held them).
  virtual void reclaim_leases(std::string owner, SystemTime now, Completion<std::size_t> done) = 0;

  // Forgets idempotency keys older than `before`. Answers how many.
  virtual void expire_idempotency_keys(SystemTime before, Completion<std::size_t> done) = 0;

  // Deletes up to `limit` messages that ended (sent, failed or cancelled)
  // before `before`, sent ones first, then failed, then cancelled, oldest
  // first within each, with their events, provider reports and content
  // references; and up to `limit` unmatched provider reports recorded
  // before `before` (event_store.h). Answers how many messages. Queued,
  // deferred, sending and quarantined messages are kept whatever their age.
  virtual void purge_ended(SystemTime before, std::size_t limit, Completion<std::size_t> done) = 0;

  // conflict when a key of this name exists; not_found when the key is
  // bound to a test account (ApiKey::catch_account) that does not exist.
  // Deleting a test account deletes the keys bound to it.
  virtual void create_api_key(StoredApiKey key, Completion<void> done) = 0;
  // not_found for an unknown name.
  virtual void delete_api_key(std::string name, Completion<void> done) = 0;
  // Gives the key `name` the secret whose hash is `secret_hash`; its
  // current secret keeps working until `previous_valid_until` (a time in
  // the past ends it at once). not_found for an unknown name.
  virtual void rotate_api_key(std::string name, std::string secret_hash,
                              SystemTime previous_valid_until, Completion<void> done) = 0;
  // Sets each key's last use (a later time only; unknown names are
  // skipped): one write for many requests.
  virtual void record_api_key_use(std::vector<ApiKeyUse> uses, Completion<void> done) = 0;

  // conflict when a user of this name exists.
  virtual void create_smtp_user(SmtpUser user, Completion<void> done) = 0;
  // not_found for an unknown name.
  virtual void delete_smtp_user(std::string name, Completion<void> done) = 0;

  // Numbers a start of the node named `node` (1, 2, ...: never given twice,
  // and unique among the nodes sharing the store) and records when it was.
  // The routing event ids carry it (routing/event_ids.h).
  virtual void record_boot(std::string node, SystemTime at, Completion<std::uint64_t> done) = 0;

  // --- Reads (synchronous, any thread) ---

  virtual Result<MessageDetail> get_message(MessageId id) = 0;
  virtual Result<std::vector<MessageSummary>> list_messages(const ListFilter& filter) = 0;
  // The stored content and its format.
  virtual Result<std::pair<ContentFormat, std::string>> get_content(MessageId id) = 0;
  // Number of messages in each status, indexed by MessageStatus.
  virtual Result<std::vector<std::int64_t>> count_by_status() = 0;
  // The key whose secret (or previous secret, after a rotation) hashes to
  // `secret_hash`, or nullopt: one indexed read, for a secret a cache of
  // the keys does not know yet (a key just made by another process).
  virtual Result<std::optional<StoredApiKey>> api_key_by_hash(const std::string& secret_hash) = 0;
  virtual Result<std::vector<StoredApiKey>> list_api_keys() = 0;
  // Whether any API key not bound to a test account exists: one cheap
  // read, for the loopback rule (a bound key only catches mail, so it does
  // not close the door to loopback callers).
  virtual Result<bool> has_api_keys() = 0;
  virtual Result<std::vector<SmtpUser>> list_smtp_users() = 0;
  // Removes stored content that no message refers to any more (after
  // purge_ended). Answers the bytes freed.
  virtual Result<std::uint64_t> reclaim_content_space() = 0;

  // --- Several nodes ---

  // This node among those sharing the store (cluster_link.h). Lives as
  // long as the store; close() leaves.
  virtual ClusterLink& cluster() = 0;

  // --- Lifecycle ---

  // Stops taking writes (they fail with shutting_down), commits what is
  // queued, and returns when the writer has stopped. Idempotent.
  virtual void close() = 0;
};

}  // namespace postern::store
