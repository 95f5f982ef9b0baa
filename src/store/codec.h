// Small encodings of list columns, shared by the SQLite and PostgreSQL stores.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"

namespace postern::store {

// Tags and scopes hold no line breaks (validated at intake), so a newline
// separates them.
inline std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += '\n';
    out += items[i];
  }
  return out;
}

// Calls on_line with each line of `text` (none for an empty text), in
// place: list columns are read on every lease and listing, so no copy of
// the text is split first.
template <class OnLine>
void for_each_line(std::string_view text, OnLine&& on_line) {
  if (text.empty()) return;
  for (;;) {
    auto nl = text.find('\n');
    on_line(text.substr(0, nl));
    if (nl == std::string_view::npos) return;
    text.remove_prefix(nl + 1);
  }
}

inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  for_each_line(text, [&](std::string_view line) { out.emplace_back(line); });
  return out;
}

// Recipients in the messages row: a line each, the kind's digit
// (RecipientKind) before the address. Addresses hold no line breaks
// (validated at intake). Schema migration 5 writes the same encoding.
inline std::string join_recipients(const std::vector<Recipient>& recipients) {
  std::string out;
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    if (i) out += '\n';
    out += static_cast<char>('0' + static_cast<int>(recipients[i].kind));
    out += recipients[i].address;
  }
  return out;
}

inline std::vector<Recipient> split_recipients(std::string_view text) {
  std::vector<Recipient> out;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty()) return;
    int digit = line.front() - '0';
    auto kind = digit >= 0 && digit <= static_cast<int>(RecipientKind::bcc)
                    ? static_cast<RecipientKind>(digit)
                    : RecipientKind::to;
    out.push_back({std::string(line.substr(1)), kind});
  });
  return out;
}

// Removes the recipients a message's `settled` and `refused` columns list
// (an address a line). A list that would leave none keeps them all: a
// message is only settled recipient by recipient while others wait, and a
// manual retry empties `refused`, so that means a damaged column, and
// sending again beats sending to nobody.
inline void leave_out_settled(std::vector<Recipient>& recipients, std::string_view settled,
                              std::string_view refused) {
  if (settled.empty() && refused.empty()) return;
  std::vector<std::string_view> done;
  for_each_line(settled, [&](std::string_view line) { done.push_back(line); });
  for_each_line(refused, [&](std::string_view line) { done.push_back(line); });
  auto waiting = recipients;
  std::erase_if(waiting, [&](const Recipient& r) {
    return std::find(done.begin(), done.end(), r.address) != done.end();
  });
  if (!waiting.empty()) recipients = std::move(waiting);
}

// Removes the recipients a message's `suppressed` column lists (an address
// a line), whoever is left: unlike settled ones, a suppressed recipient is
// never sent to, even when that leaves none.
inline void leave_out_suppressed(std::vector<Recipient>& recipients, std::string_view suppressed) {
  for_each_line(suppressed, [&](std::string_view line) {
    std::erase_if(recipients, [&](const Recipient& r) { return r.address == line; });
  });
}

// The detail of a message's "accepted" event, from the row's source and
// submitter (schema 5 keeps no copy of it).
inline std::string accepted_detail(std::string_view source, std::string_view submitted_by) {
  std::string out;
  if (!source.empty()) out.append("via ").append(source);
  if (!submitted_by.empty()) out.append(" by ").append(submitted_by);
  return out;
}

}  // namespace postern::store
