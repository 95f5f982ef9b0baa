#include "store/sqlite/message_search.h"

#include <bit>

#include "store/sqlite/message_terms.h"

namespace postern::store::sqlite {
namespace {

constexpr unsigned kLeadSlots = kSearchFilterCount + 1;  // none, then each filter

std::size_t shape_index(SearchShape shape) {
  const unsigned lead =
      shape.lead == 0 ? 0 : static_cast<unsigned>(std::countr_zero(shape.lead)) + 1;
  return shape.filters * kLeadSlots + lead;
}

std::string queued_number() { return std::to_string(static_cast<int>(MessageStatus::queued)); }

// The condition that checks `filter` on a candidate row m.
std::string check(unsigned filter) {
  switch (filter) {
    case by_status:
      return "m.status = ?1";
    case by_provider:
      return "m.provider = ?5";
    case by_recipient:
      return "EXISTS (SELECT 1 FROM message_terms AS r WHERE r.term = ?6 AND r.message_id = m.id)";
    default:
      return "EXISTS (SELECT 1 FROM message_terms AS g WHERE g.term = ?7 AND g.message_id = m.id)";
  }
}

// Counts a lead's entries in an id range, up to ?4: ?1 its value, ?2 and
// ?3 the range. The term count serves recipient and tag alike.
std::string count_sql(unsigned lead) {
  std::string inner;
  if (lead == by_status) {
    inner =
        "SELECT 1 FROM messages INDEXED BY messages_by_status WHERE status = ?1 AND status <> " +
        queued_number() + " AND id >= ?2 AND id < ?3";
  } else if (lead == by_provider) {
    inner =
        "SELECT 1 FROM messages INDEXED BY messages_by_provider WHERE provider = ?1 AND "
        "provider <> '' AND id >= ?2 AND id < ?3";
  } else {
    inner = "SELECT 1 FROM message_terms WHERE term = ?1 AND message_id >= ?2 AND message_id < ?3";
  }
  return "SELECT count(*) FROM (" + inner + " LIMIT ?4)";
}

constexpr unsigned kCountLeads[] = {by_status, by_provider, by_recipient};

std::size_t count_slot(unsigned lead) {
  return lead == by_tag ? 2 : static_cast<std::size_t>(std::countr_zero(lead));
}

}  // namespace

std::vector<SearchShape> all_search_shapes() {
  std::vector<SearchShape> out{{0, 0}};
  for (unsigned filters = 1; filters < (1u << kSearchFilterCount); ++filters) {
    for (unsigned bit = 1; bit < (1u << kSearchFilterCount); bit <<= 1) {
      if (filters & bit) out.push_back({filters, bit});
    }
  }
  return out;
}

std::string search_sql(SearchShape shape, std::string_view columns) {
  std::string from;
  std::string where;
  std::string id = "m.id";
  switch (shape.lead) {
    case 0:
      from = "messages AS m";
      break;
    case by_status:
      // "<> queued" lets the partial index serve (schema migration 5).
      from = "messages AS m INDEXED BY messages_by_status";
      where = "m.status = ?1 AND m.status <> " + queued_number() + " AND ";
      break;
    case by_provider:
      from = "messages AS m INDEXED BY messages_by_provider";
      where = "m.provider = ?5 AND m.provider <> '' AND ";
      break;
    default:
      // CROSS JOIN: the terms lead, each message is one primary-key lookup.
      from = "message_terms AS t CROSS JOIN messages AS m ON m.id = t.message_id";
      where = std::string("t.term = ") + (shape.lead == by_recipient ? "?6" : "?7") + " AND ";
      id = "t.message_id";
      break;
  }
  where += id + " >= ?2 AND " + id + " < ?3";
  for (unsigned bit = 1; bit < (1u << kSearchFilterCount); bit <<= 1) {
    if ((shape.filters & bit) && bit != shape.lead) where += " AND " + check(bit);
  }
  return "SELECT " + std::string(columns) + " FROM " + from + " WHERE " + where + " ORDER BY " +
         id + " DESC LIMIT ?4";
}

Result<MessageSearch> MessageSearch::prepare(Database& db, std::string_view columns) {
  MessageSearch search;
  search.pages_.resize((1u << kSearchFilterCount) * kLeadSlots);
  for (auto shape : all_search_shapes()) {
    auto s = db.prepare(search_sql(shape, columns));
    if (!s) return s.error();
    search.pages_[shape_index(shape)] = std::move(*s);
  }
  for (auto lead : kCountLeads) {
    auto s = db.prepare(count_sql(lead));
    if (!s) return s.error();
    search.counts_.push_back(std::move(*s));
  }
  return search;
}

Result<unsigned> MessageSearch::choose_lead(const ListFilter& f, unsigned filters,
                                            std::uint64_t low, std::uint64_t high) {
  unsigned candidates = filters;
  if (f.status == MessageStatus::queued) candidates &= ~unsigned{by_status};
  if (std::popcount(candidates) <= 1) return candidates;
  unsigned best = 0;
  std::int64_t fewest = 0;
  // Recipients first: on a tie the most selective filter in practice leads.
  for (unsigned lead :
       {unsigned{by_recipient}, unsigned{by_tag}, unsigned{by_status}, unsigned{by_provider}}) {
    if (!(candidates & lead)) continue;
    auto& s = counts_[count_slot(lead)];
    if (lead == by_status) s.bind(1, static_cast<std::int64_t>(*f.status));
    if (lead == by_provider) s.bind(1, *f.provider);
    if (lead == by_recipient) s.bind(1, recipient_term_);
    if (lead == by_tag) s.bind(1, tag_term_);
    s.bind(2, static_cast<std::int64_t>(low))
        .bind(3, static_cast<std::int64_t>(high))
        .bind(4, kCountCap);
    auto n = s.one_row(Errc::internal, [](Statement& row) { return row.column_int(0); });
    if (!n) return n.error();
    if (best == 0 || *n < fewest) {
      best = lead;
      fewest = *n;
    }
  }
  return best;
}

Result<Statement*> MessageSearch::page(const ListFilter& f, std::uint64_t low, std::uint64_t high) {
  unsigned filters = 0;
  if (f.status) filters |= by_status;
  if (f.provider) filters |= by_provider;
  if (f.recipient) {
    filters |= by_recipient;
    recipient_term_ = recipient_term(*f.recipient);
  }
  if (f.tag) {
    filters |= by_tag;
    tag_term_ = tag_term(*f.tag);
  }
  auto lead = choose_lead(f, filters, low, high);
  if (!lead) return lead.error();
  auto& s = pages_[shape_index({filters, *lead})];
  if (f.status) s.bind(1, static_cast<std::int64_t>(*f.status));
  if (f.provider) s.bind(5, *f.provider);
  if (f.recipient) s.bind(6, recipient_term_);
  if (f.tag) s.bind(7, tag_term_);
  s.bind(2, static_cast<std::int64_t>(low))
      .bind(3, static_cast<std::int64_t>(high))
      .bind(4, static_cast<std::int64_t>(f.limit));
  return &s;
}

}  // namespace postern::store::sqlite
