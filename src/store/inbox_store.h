// The test inbox's storage: throwaway accounts, their mailboxes, and the
// caught messages in them (docs/inbox.md). The same backend as the Store
// keeps it (one database, one group-commit writer, one content log), so a
// caught message is as durable as a queued one.
//
// A message's bytes are stored once, as a blob, however many mailboxes hold
// it (several test recipients, IMAP COPY): each mailbox entry refers to the
// blob, and the blob goes when its last entry does. An account's used bytes
// are the sum of its entries' sizes (a copy counts again, as quotas of mail
// servers count).
//
// Each mailbox numbers its entries with UIDs (RFC 3501 §2.3.1.1) that never
// repeat while its UIDVALIDITY stands, and every change to an entry (new,
// flags, expunge) takes the mailbox's next modification sequence (modseq,
// as in RFC 7162): a reader that remembers the highest modseq it saw asks
// for what changed since, which is how every IMAP session on a mailbox,
// in any process, converges on the same UIDs and flags.
//
// Writes are group-committed as the Store's (store.h: completions, threads,
// errors storage_full, storage_unavailable, overloaded, shutting_down);
// reads are synchronous and see committed data.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/message_id.h"
#include "store/store.h"

namespace postern::store {

using AccountId = std::int64_t;
using MailboxId = std::int64_t;
using BlobId = std::int64_t;

// The system flags of RFC 3501 §2.3.2 that are stored, as bits. \Recent is
// not stored: it belongs to the one IMAP session that first sees a message
// (src/imap/).
enum class SystemFlag : std::uint8_t {
  seen = 1,
  answered = 2,
  flagged = 4,
  deleted = 8,
  draft = 16,
};

struct MailFlags {
  std::uint8_t system = 0;            // SystemFlag bits
  std::vector<std::string> keywords;  // sorted, unique, as given (IMAP atoms)
  bool has(SystemFlag f) const { return (system & static_cast<std::uint8_t>(f)) != 0; }
  bool operator==(const MailFlags&) const = default;
};

struct NewInboxAccount {
  std::string user;           // login name; unique (conflict otherwise)
  std::string address;        // user@inbox.domain; unique
  std::string password_hash;  // Argon2id string (auth::hash_password)
  std::chrono::seconds retention{7 * 24 * 3600};
  std::uint64_t quota_bytes = 0;  // 0: no limit
  // The node's catch-all inbox (every message when no provider is
  // configured): never expires for lack of use.
  bool catch_all = false;
};

struct InboxAccount {
  AccountId id = 0;
  std::string user;
  std::string address;
  std::string password_hash;
  SystemTime created_at;
  SystemTime last_used_at;  // last login or delivery
  std::chrono::seconds retention{0};
  std::uint64_t quota_bytes = 0;
  std::uint64_t used_bytes = 0;
  bool catch_all = false;
};

struct Mailbox {
  MailboxId id = 0;
  AccountId account = 0;
  std::string name;  // "INBOX", or a user folder; '/' separates levels
  std::uint32_t uid_validity = 0;
  std::uint32_t uid_next = 1;
  std::uint64_t highest_modseq = 0;
  bool subscribed = false;
};

struct MailboxCounts {
  std::uint32_t exists = 0;
  std::uint32_t unseen = 0;  // without \Seen
  std::uint64_t bytes = 0;
};

// What the inbox keeps of a message beside its bytes, taken once when it is
// stored (src/inbox/ fills it), so that listing, searching and IMAP FETCH of
// ENVELOPE and BODYSTRUCTURE do not parse the message again.
struct BlobSummary {
  std::string from;                // decoded, as a person reads it
  std::string to;                  // decoded, comma-separated
  std::string cc;                  // decoded, comma-separated
  std::string subject;             // decoded
  std::string message_id;          // Message-ID header, without <>
  std::optional<SystemTime> date;  // the Date header, when it parses
  bool has_attachments = false;
  // The decoded text of its text parts (HTML as text), for searching
  // (InboxQuery::text, IMAP SEARCH BODY and TEXT).
  std::string text;
  std::string envelope;        // IMAP ENVELOPE (RFC 3501 §7.4.2), the parenthesised list
  std::string body_structure;  // IMAP BODYSTRUCTURE, the parenthesised list
  std::string body;            // IMAP BODY (non-extensible BODYSTRUCTURE)
};

// One message in one mailbox.
struct MailEntry {
  std::uint32_t uid = 0;
  MailFlags flags;
  std::uint64_t modseq = 0;  // of its last change
  std::uint64_t size = 0;    // of the blob, in bytes (RFC822.SIZE)
  SystemTime internal_date;  // arrival (or APPEND's date)
  BlobId blob = 0;
  bool operator==(const MailEntry&) const = default;
};

struct EntryWithSummary {
  MailEntry entry;
  BlobSummary summary;
};

struct DeliveryTarget {
  AccountId account = 0;
  std::string mailbox = "INBOX";
  MailFlags flags;
};

// A message to store once and file into one or more mailboxes.
struct InboxDelivery {
  std::string content;  // raw RFC 5322 bytes
  BlobSummary summary;
  SystemTime internal_date;
  std::vector<DeliveryTarget> targets;
  // The gateway message this copy was caught from (GET /message/{id}), if any.
  std::optional<MessageId> source;
};

// Per target, in the order given: the UID it got, or why not:
// storage_full (the account's quota), not_found (no such account or
// mailbox: IMAP's TRYCREATE).
struct DeliveredCopy {
  AccountId account = 0;
  MailboxId mailbox = 0;
  std::uint32_t uid = 0;
  std::uint32_t uid_validity = 0;
  error_code error;  // ok when filed
};

enum class FlagOperation : std::uint8_t { add, remove, replace };

struct FlagChange {
  FlagOperation operation = FlagOperation::add;
  MailFlags flags;
};

// The entries a flag change touched, with their flags and modseq after it.
struct FlagUpdate {
  std::uint32_t uid = 0;
  MailFlags flags;
  std::uint64_t modseq = 0;
};

// A UID in the source mailbox and the one its copy got in the target (UIDPLUS).
struct UidPair {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
};

struct CopyResult {
  std::uint32_t target_uid_validity = 0;
  std::vector<UidPair> uids;
};

// What changed in a mailbox after a modseq: entries added or whose flags
// changed (with their current state), and UIDs expunged. `complete` is false
// when expunges that old were already forgotten: the reader must then take
// the whole list again (entries()).
struct MailboxChanges {
  std::uint64_t highest_modseq = 0;
  std::vector<MailEntry> changed;
  std::vector<std::uint32_t> expunged;
  bool complete = true;
};

// HTTP listing and search of an account's mailbox, newest first.
struct InboxQuery {
  std::string from;                 // substring of the From summary, any case
  std::string to;                   // of To or Cc
  std::string subject;              // of the subject
  std::string text;                 // of the decoded text (BlobSummary::text) or the subject
  std::optional<SystemTime> since;  // internal date at or after
  std::optional<SystemTime> until;  // internal date before
  std::optional<bool> seen;
  std::optional<std::uint32_t> before_uid;  // cursor: UIDs strictly smaller
  std::size_t limit = 50;
};

struct ExpiryCounts {
  std::size_t entries = 0;   // messages removed for their age
  std::size_t accounts = 0;  // accounts removed for lack of use, with their mail
};

class InboxStore {
 public:
  virtual ~InboxStore() = default;

  // --- Accounts ---

  // Creates the account with its INBOX. conflict when the user or address exists.
  virtual void create_account(NewInboxAccount account, Completion<InboxAccount> done) = 0;
  // Deletes the account, its mailboxes and entries; blobs no other entry
  // refers to go with them. not_found for an unknown id.
  virtual void delete_account(AccountId id, Completion<void> done) = 0;
  // Records a use (login) at `now`: an account in use does not expire.
  virtual void touch_account(AccountId id, SystemTime now, Completion<void> done) = 0;

  // --- Mailboxes ---

  // conflict when it exists (INBOX in any case), invalid_argument for a bad name.
  virtual void create_mailbox(AccountId account, std::string name, Completion<Mailbox> done) = 0;
  // Deletes the mailbox and its entries. invalid_argument for INBOX;
  // not_found when missing.
  virtual void delete_mailbox(AccountId account, std::string name, Completion<void> done) = 0;
  // Renames the mailbox and those below it (RFC 3501 §6.3.5); renaming INBOX
  // moves its entries to the new mailbox and leaves INBOX empty. not_found,
  // conflict when the new name exists.
  virtual void rename_mailbox(AccountId account, std::string from, std::string to,
                              Completion<void> done) = 0;
  // SUBSCRIBE / UNSUBSCRIBE. not_found when missing.
  virtual void set_subscribed(AccountId account, std::string name, bool subscribed,
                              Completion<void> done) = 0;

  // --- Messages ---

  // Stores the message once and files it into each target; the account's
  // used bytes grow and its last use is `internal_date`. Targets over quota
  // or missing are refused one by one (DeliveredCopy::error); with every
  // target refused nothing is stored.
  virtual void deliver(InboxDelivery delivery, Completion<std::vector<DeliveredCopy>> done) = 0;
  // Changes the flags of the given UIDs (missing ones are skipped). Each
  // change is applied to the stored flags as they are when it is applied
  // (never read-modify-written by the caller), so concurrent changes from
  // several sessions are all kept. Answers the entries whose flags changed.
  virtual void store_flags(MailboxId mailbox, std::vector<std::uint32_t> uids, FlagChange change,
                           Completion<std::vector<FlagUpdate>> done) = 0;
  // Copies (or moves: the sources are then expunged in the same transaction)
  // the given UIDs, in UID order, to `target`. not_found when the target is
  // missing; storage_full over the target account's quota.
  virtual void copy(MailboxId from, std::vector<std::uint32_t> uids, MailboxId target, bool move,
                    Completion<CopyResult> done) = 0;
  // Removes entries: with only_deleted, those of `uids` (every one when
  // empty) that have \Deleted (IMAP EXPUNGE, UID EXPUNGE); without, exactly
  // `uids` (HTTP delete). Answers the UIDs removed, ascending.
  virtual void expunge(MailboxId mailbox, std::vector<std::uint32_t> uids, bool only_deleted,
                       Completion<std::vector<std::uint32_t>> done) = 0;
  // Removes up to `limit` entries older than their account's retention, and
  // accounts (not catch-all) unused for their retention, with their mail.
  virtual void expire(SystemTime now, std::size_t limit, Completion<ExpiryCounts> done) = 0;

  // --- Reads ---

  virtual Result<InboxAccount> account(AccountId id) = 0;
  virtual Result<InboxAccount> account_by_user(const std::string& user) = 0;
  virtual Result<InboxAccount> account_by_address(const std::string& address) = 0;
  // Newest first, `limit` from the id strictly below `before` (0: from the newest).
  virtual Result<std::vector<InboxAccount>> list_accounts(AccountId before, std::size_t limit) = 0;

  virtual Result<std::vector<Mailbox>> list_mailboxes(AccountId account) = 0;
  // INBOX in any case. not_found when missing.
  virtual Result<Mailbox> mailbox(AccountId account, const std::string& name) = 0;
  virtual Result<Mailbox> mailbox_by_id(MailboxId id) = 0;
  virtual Result<MailboxCounts> mailbox_counts(MailboxId mailbox) = 0;

  // Every entry of the mailbox, ascending UID.
  virtual Result<std::vector<MailEntry>> entries(MailboxId mailbox) = 0;
  virtual Result<MailboxChanges> changes_since(MailboxId mailbox, std::uint64_t modseq) = 0;
  // The entries of `uids` that exist, with their summaries, ascending UID.
  virtual Result<std::vector<EntryWithSummary>> entries_with_summary(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) = 0;
  // The same with BlobSummary::text left empty: what FETCH of ENVELOPE,
  // BODYSTRUCTURE or BODY and listings need, without the decoded text of
  // every message (the longest part of a summary) read and held for the
  // whole answer: over 100,000 messages it is the difference between tens
  // of megabytes and gigabytes. The default reads everything.
  virtual Result<std::vector<EntryWithSummary>> entries_without_text(
      MailboxId mailbox, const std::vector<std::uint32_t>& uids) {
    return entries_with_summary(mailbox, uids);
  }
  virtual Result<std::vector<EntryWithSummary>> search(MailboxId mailbox,
                                                       const InboxQuery& query) = 0;
  // The raw bytes of a blob. corrupt when its stored bytes fail their checksum.
  virtual Result<std::string> blob_content(BlobId blob) = 0;
  // The entry caught from gateway message `source`, in any account (the
  // Ethereal message URL).
  virtual Result<std::pair<AccountId, MailEntry>> find_caught(MessageId source) = 0;
};

}  // namespace postern::store
