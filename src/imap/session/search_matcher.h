// SEARCH keys (RFC 3501 §6.4.4) evaluated against one message, without I/O:
// the session gathers what a program needs (the view's flags, the stored
// entry and summary, the raw headers) and asks here whether it matches.
//
// Reading a message's raw bytes is the one expensive step (HEADER, BCC,
// TEXT beyond the decoded summary), and reading its stored entry and
// summary the next (a row of the store per message), so evaluation is
// three-valued: without what a key needs (a null pointer below) the key
// answers `unknown`, AND/OR/NOT combine the three values (Kleene logic),
// and the session reads a message's entry, then its headers, only when
// the cheaper keys have not already decided it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imap/parser/command.h"
#include "store/inbox_store.h"

namespace postern::imap {

// What a search program reads, so that the session reads no more.
struct SearchNeeds {
  bool entry = false;    // size, internal date (MailEntry)
  bool summary = false;  // decoded from/to/cc/subject, Date
  bool text = false;     // the decoded text (BlobSummary::text)
  bool headers = false;  // raw header fields (may be needed)
};
SearchNeeds search_needs(const SearchKey& program);

struct SearchHeader {
  std::string name;
  std::string value;  // unfolded, decoded
};

// One message as a search sees it. Pointers are null when the program does
// not need them (search_needs), or not yet read.
struct SearchSubject {
  std::uint32_t seq = 0;
  std::uint32_t uid = 0;
  const store::MailFlags* flags = nullptr;
  bool recent = false;
  const store::MailEntry* entry = nullptr;
  const store::BlobSummary* summary = nullptr;
  const std::vector<SearchHeader>* headers = nullptr;  // null: not read (yet)
};

// The mailbox's extent, for '*' in sequence sets and UID sets.
struct SearchScope {
  std::uint32_t exists = 0;
  std::uint32_t max_uid = 0;
};

enum class Match { no, yes, unknown };

Match evaluate(const SearchKey& key, const SearchSubject& message, const SearchScope& scope);

// ASCII case-insensitive substring test (UTF-8 bytes above 0x7F compare as
// they are); an empty needle matches anything.
bool contains_nocase(std::string_view haystack, std::string_view needle);

// "1:3,7" for ascending numbers (ESEARCH ALL).
std::string compact_set(const std::vector<std::uint32_t>& ascending);

}  // namespace postern::imap
