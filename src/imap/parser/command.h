// The commands an IMAP4rev1 server takes (RFC 3501 §6 and the extensions
// Postern offers: RFC 2177 IDLE, 2342 NAMESPACE, 2971 ID, 3691 UNSELECT,
// 4315 UIDPLUS, 4731 ESEARCH, 4959 SASL-IR, 5161 ENABLE, 6851 MOVE), as
// parse_command gives them: one struct per command in a std::variant.
// Arguments are kept as the client sent them, decoded from their wire
// form (atom, quoted string, literal) but not interpreted against a
// mailbox: sequence sets keep '*', mailbox names stay modified UTF-7.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "imap/parser/sequence_set.h"

namespace postern::imap {

// A mailbox name as sent (RFC 3501 §5.1): modified UTF-7 (see
// imap/mailbox_name.h to decode it), except that any case of "INBOX" reads
// "INBOX".
struct Mailbox {
  std::string raw;
  friend bool operator==(const Mailbox&, const Mailbox&) = default;
};

// Flags as sent, except that the system flags (\Seen, \Answered,
// \Flagged, \Deleted, \Draft, \Recent) are spelt in their canonical case.
using FlagList = std::vector<std::string>;

struct Capability {};
struct Noop {};
struct Logout {};
struct StartTls {};
struct Check {};
struct Close {};
struct Unselect {};   // RFC 3691
struct Idle {};       // RFC 2177; the session then waits for "DONE" (is_idle_done)
struct Namespace {};  // RFC 2342

struct Authenticate {
  std::string mechanism;  // upper-cased
  // RFC 4959 SASL-IR: the initial response, still base64; "=" stands for
  // an empty one.
  std::optional<std::string> initial_response;
};

struct Login {
  std::string user;
  std::string password;
};

struct Select {
  Mailbox mailbox;
  bool read_only = false;  // EXAMINE
};

struct Create {
  Mailbox mailbox;
};
struct Delete {
  Mailbox mailbox;
};
struct Rename {
  Mailbox from;
  Mailbox to;
};
struct Subscribe {
  Mailbox mailbox;
};
struct Unsubscribe {
  Mailbox mailbox;
};

struct List {
  Mailbox reference;
  std::string pattern;           // list-mailbox, with its wildcards '*' and '%'
  bool subscribed_only = false;  // LSUB
};

enum class StatusItem { messages, recent, uidnext, uidvalidity, unseen };

struct Status {
  Mailbox mailbox;
  std::vector<StatusItem> items;
};

struct Append {
  Mailbox mailbox;
  FlagList flags;
  std::optional<SystemTime> internal_date;
  std::string message;  // the literal's octets
};

// EXPUNGE, or UID EXPUNGE (RFC 4315) with its set.
struct Expunge {
  std::optional<SequenceSet> uids;
};

struct SearchKey {
  enum class Kind {
    all,
    answered,
    bcc,
    before,
    body,
    cc,
    deleted,
    draft,
    flagged,
    from,
    header,
    keyword,
    larger,
    new_,
    not_,
    old,
    on,
    or_,
    recent,
    seen,
    sent_before,
    sent_on,
    sent_since,
    since,
    smaller,
    subject,
    text,
    to,
    uid,
    unanswered,
    undeleted,
    undraft,
    unflagged,
    unkeyword,
    unseen,
    sequence_set,  // message sequence numbers
    and_,          // a parenthesised list, or the whole program
  };
  Kind kind = Kind::all;
  std::string value;  // BCC..TO, BODY, TEXT, SUBJECT: the string; HEADER: the value;
                      // KEYWORD, UNKEYWORD: the keyword
  std::string field;  // HEADER: the field name
  std::chrono::year_month_day date{};  // BEFORE, ON, SINCE, SENT*
  std::uint32_t size = 0;              // LARGER, SMALLER
  SequenceSet set;                     // UID, sequence_set
  std::vector<SearchKey> children;     // NOT: 1, OR: 2, and_: 1 or more
};

// RFC 4731 ESEARCH: which results to return. RETURN () means ALL.
struct SearchReturn {
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
};

struct Search {
  std::optional<std::string> charset;  // upper-cased
  std::optional<SearchReturn> result;  // present with RETURN: answer ESEARCH
  SearchKey program;                   // Kind::and_
};

// A BODY[section] (RFC 3501 §6.4.5): the part numbers, then what of it.
struct Section {
  enum class Text { all, header, header_fields, header_fields_not, text, mime };
  std::vector<std::uint32_t> part;  // "1.2.3"; empty for the message itself
  Text text = Text::all;
  std::vector<std::string> fields;  // HEADER.FIELDS (.NOT), as sent
};

struct Partial {
  std::uint32_t start = 0;
  std::uint32_t count = 0;  // > 0
};

struct FetchItem {
  enum class Kind {
    envelope,
    flags,
    internal_date,
    rfc822,
    rfc822_header,
    rfc822_size,
    rfc822_text,
    body,  // BODY alone: the structure without extension data
    body_structure,
    uid,
    body_section,  // BODY[...] and BODY.PEEK[...]
  };
  Kind kind = Kind::flags;
  Section section;                 // body_section
  bool peek = false;               // BODY.PEEK: \Seen is not set
  std::optional<Partial> partial;  // body_section: <start.count>
};

struct Fetch {
  SequenceSet set;
  std::vector<FetchItem> items;  // the macros ALL, FAST, FULL expanded
};

struct Store {
  enum class Mode { replace, add, remove };
  SequenceSet set;
  Mode mode = Mode::replace;
  bool silent = false;
  FlagList flags;
};

struct Copy {
  SequenceSet set;
  Mailbox mailbox;
};

struct Move {  // RFC 6851
  SequenceSet set;
  Mailbox mailbox;
};

// RFC 2971: NIL, or field/value pairs (a value may be NIL).
struct Id {
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> params;
};

struct Enable {                           // RFC 5161
  std::vector<std::string> capabilities;  // upper-cased
};

using CommandBody =
    std::variant<Capability, Noop, Logout, StartTls, Authenticate, Login, Select, Create, Delete,
                 Rename, Subscribe, Unsubscribe, List, Status, Append, Check, Close, Unselect,
                 Expunge, Search, Fetch, Store, Copy, Move, Idle, Namespace, Id, Enable>;

struct Command {
  std::string tag;
  std::string name;  // upper-cased, without the UID prefix: "FETCH"
  bool uid = false;  // "UID FETCH": numbers and sets are UIDs
  CommandBody body;
};

// Why a command was refused: `text` is said to the client after "BAD".
struct ParseError {
  std::string tag;   // empty when the command has none (answer "* BAD")
  std::string name;  // the command's name when it was recognised
  std::string text;
};

}  // namespace postern::imap
