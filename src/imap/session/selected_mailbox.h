// The session's view of its selected mailbox (RFC 3501 §2.3.1): message
// sequence numbers ↔ UIDs, each message's flags and \Recent, and the
// highest modseq (store/inbox_store.h) the view has taken in. The client
// knows the mailbox only as this view has announced it, so commands
// resolve sequence numbers against the view, never against the store, and
// the view moves on only through refresh(), whose updates the session
// sends as untagged responses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "imap/parser/sequence_set.h"
#include "imap/session/recent_table.h"
#include "store/inbox_store.h"

namespace postern::imap {

// One untagged response the view owes the client, in sending order.
struct MailboxUpdate {
  enum class Kind { expunge, exists, recent, flags };
  Kind kind = Kind::exists;
  // expunge, flags: the message sequence number (expunge: as it is just
  // before that EXPUNGE); exists, recent: the count.
  std::uint32_t number = 0;
  std::uint32_t uid = 0;  // flags
  std::string flags;      // flags: the parenthesised flag list
};

class SelectedMailbox {
 public:
  struct Message {
    std::uint32_t uid = 0;
    store::MailFlags flags;
    bool recent = false;
    // Expunged in the store, but the client has not been told yet
    // (RFC 3501 §7.4.1: no EXPUNGE during FETCH, STORE or SEARCH); it
    // keeps its sequence number until then.
    bool expunged = false;
  };

  // Loads the mailbox and claims its unclaimed UIDs as recent.
  static Result<SelectedMailbox> open(store::InboxStore& store, const store::Mailbox& mailbox,
                                      RecentTable& recent, bool read_only);

  // Takes in what changed in the store since the view's modseq, and
  // answers the untagged responses that tell the client: with
  // `expunges_allowed`, EXPUNGE for every message gone (highest sequence
  // number first, so that each number sent is still the client's), then
  // EXISTS and RECENT when messages arrived, then FETCH (FLAGS) for
  // messages whose flags changed. Without it, expunged messages stay in
  // place (flagged `expunged`) until a refresh that allows them.
  Result<std::vector<MailboxUpdate>> refresh(store::InboxStore& store, bool expunges_allowed);

  // Records flags this session itself changed (STORE), so that a later
  // refresh does not announce them again.
  void apply(const std::vector<store::FlagUpdate>& updates);

  // The sequence numbers (1-based) of `set`, read as sequence numbers or
  // as UIDs, ascending, clipped to the messages the client knows. Empty
  // when none match; nullopt when `set` names a sequence number past the
  // end (RFC 3501 §6.4.8: BAD for message numbers; UID sets never fail).
  std::optional<std::vector<std::uint32_t>> resolve(const SequenceSet& set, bool uids) const;

  const std::vector<Message>& messages() const { return messages_; }
  const Message& at(std::uint32_t seq) const { return messages_[seq - 1]; }
  std::uint32_t exists() const { return static_cast<std::uint32_t>(messages_.size()); }
  std::uint32_t recent_count() const;
  // The sequence number of the first message without \Seen (0: none).
  std::uint32_t first_unseen() const;
  // The sequence number of `uid` (0: not in the view).
  std::uint32_t sequence_of(std::uint32_t uid) const;

  store::MailboxId id() const { return id_; }
  const std::string& name() const { return name_; }
  std::uint32_t uid_validity() const { return uid_validity_; }
  std::uint32_t uid_next() const { return uid_next_; }
  std::uint64_t highest_modseq() const { return modseq_; }
  bool read_only() const { return read_only_; }

 private:
  SelectedMailbox(const store::Mailbox& mailbox, RecentTable& recent, bool read_only);

  void take(const store::MailboxChanges& changes, std::vector<MailboxUpdate>& flag_updates);
  void claim_recent(std::size_t from);
  std::vector<MailboxUpdate> drop_expunged();

  store::MailboxId id_ = 0;
  std::string name_;
  std::uint32_t uid_validity_ = 0;
  std::uint32_t uid_next_ = 1;
  std::uint64_t modseq_ = 0;
  bool read_only_ = false;
  RecentTable* recent_;
  std::vector<Message> messages_;    // ascending UID; index + 1 is the sequence number
  std::size_t marked_expunged_ = 0;  // messages flagged `expunged` and not yet dropped
};

// "(\Seen \Flagged $Label)", with \Recent when `recent`.
std::string flag_list(const store::MailFlags& flags, bool recent);

}  // namespace postern::imap
