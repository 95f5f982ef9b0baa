#include "sim/common/ledger.h"

#include <boost/json.hpp>

#include "core/base64.h"
#include "core/sha256.h"
#include "core/time_format.h"

namespace postern::sim {

namespace {

// JSON strings must be UTF-8 (RFC 8259 §8.1); bodies that are not get only
// their base64 form.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

boost::json::object receipt_json(const Receipt& r) {
  boost::json::object out{
      {"service", service_name(r.service)},
      {"received_at", format_rfc3339(r.received_at)},
      {"provider_message_id", r.provider_message_id},
  };
  if (r.service == Service::smtp) {
    boost::json::array rcpt;
    for (const auto& a : r.envelope.rcpt_to) rcpt.emplace_back(a);
    out["envelope"] = boost::json::object{{"helo", r.envelope.helo},
                                          {"auth_user", r.envelope.auth_user},
                                          {"tls", r.envelope.tls},
                                          {"mail_from", r.envelope.mail_from},
                                          {"rcpt_to", std::move(rcpt)}};
  } else {
    boost::json::array headers;
    for (const auto& [k, v] : r.headers) headers.emplace_back(boost::json::array{k, v});
    out["method"] = r.method;
    out["target"] = r.target;
    out["headers"] = std::move(headers);
    out["recipients"] = boost::json::array(r.recipients.begin(), r.recipients.end());
  }
  out["body"] = valid_utf8(r.body) ? boost::json::value(r.body) : boost::json::value(nullptr);
  out["body_base64"] = base64_encode(r.body);
  return out;
}

boost::json::object counts_json(std::uint64_t accepted, std::uint64_t unidentified,
                                std::uint64_t unique, std::uint64_t duplicate_ids) {
  auto identified = accepted - unidentified;
  return boost::json::object{
      {"accepted", accepted},
      {"unidentified", unidentified},
      {"unique_ids", unique},
      {"duplicate_ids", duplicate_ids},
      {"duplicate_messages", identified > unique ? identified - unique : 0},
  };
}

}  // namespace

Ledger::Ledger(std::size_t capture_budget_bytes, std::optional<RecordFile> record, bool hash_bodies)
    : capture_(capture_budget_bytes), hash_bodies_(hash_bodies), record_(std::move(record)) {}

void Ledger::count_accepted(Service service, const std::string& postern_id) {
  auto& c = counts_[service_index(service)];
  ++c.accepted;
  if (postern_id.empty()) {
    ++c.unidentified;
  } else {
    ids_.add(service, postern_id);
  }
}

void Ledger::accept(const std::string& postern_id, Receipt receipt) {
  if (record_) record_->append(receipt.service, postern_id, receipt.provider_message_id);
  std::string hash = hash_bodies_ && !postern_id.empty() ? sha256_hex(receipt.body) : "";
  std::lock_guard lock(mu_);
  count_accepted(receipt.service, postern_id);
  if (!hash.empty()) body_hashes_[postern_id].push_back(std::move(hash));
  capture_.add(postern_id, std::move(receipt));
}

void Ledger::reject(Service service, int status) {
  std::lock_guard lock(mu_);
  ++counts_[service_index(service)].rejected[status];
}

void Ledger::restore(Service service, std::string_view postern_id) {
  std::lock_guard lock(mu_);
  count_accepted(service, std::string(postern_id));
}

std::uint64_t Ledger::accepted(Service service) const {
  std::lock_guard lock(mu_);
  return counts_[service_index(service)].accepted;
}

boost::json::object Ledger::stats_json(const StatsQuery& query,
                                       const std::vector<Service>& services) const {
  std::lock_guard lock(mu_);
  struct Listing {
    bool list_ids = false;
    boost::json::array ids;
    boost::json::object duplicates;
  };
  std::array<Listing, kServiceCount + 1> listings;  // the last one: all services together
  for (auto s : services) {
    listings[service_index(s)].list_ids = query.all_ids || ids_.unique(s) <= query.list_limit;
  }
  listings[kServiceCount].list_ids = query.all_ids || ids_.unique(std::nullopt) <= query.list_limit;
  ids_.for_each([&](const std::string& id, const IdCounts::Counts& counts) {
    for (std::size_t i = 0; i <= kServiceCount; ++i) {
      auto n = i == kServiceCount ? counts.total : counts.per_service[i];
      if (n == 0) continue;
      auto& l = listings[i];
      if (l.list_ids) l.ids.emplace_back(id);
      if (n > 1 && l.duplicates.size() < query.list_limit) l.duplicates[id] = n;
    }
  });
  auto finish = [&](boost::json::object& out, Listing& l) {
    out["duplicates"] = std::move(l.duplicates);
    out["ids_omitted"] = !l.list_ids;
    out["ids"] = l.list_ids ? boost::json::value(std::move(l.ids)) : boost::json::value(nullptr);
  };

  boost::json::object per_service;
  std::uint64_t accepted = 0, unidentified = 0;
  for (auto s : services) {
    const auto& c = counts_[service_index(s)];
    accepted += c.accepted;
    unidentified += c.unidentified;
    auto out = counts_json(c.accepted, c.unidentified, ids_.unique(s), ids_.duplicate_ids(s));
    boost::json::object rejected;
    std::uint64_t rejected_total = 0;
    for (const auto& [status, n] : c.rejected) {
      rejected[std::to_string(status)] = n;
      rejected_total += n;
    }
    out["rejected"] = std::move(rejected);
    out["rejected_total"] = rejected_total;
    finish(out, listings[service_index(s)]);
    per_service[service_name(s)] = std::move(out);
  }
  auto total = counts_json(accepted, unidentified, ids_.unique(std::nullopt),
                           ids_.duplicate_ids(std::nullopt));
  total["untracked_ids"] = ids_.untracked();
  finish(total, listings[kServiceCount]);
  return boost::json::object{{"services", std::move(per_service)}, {"total", std::move(total)}};
}

std::optional<boost::json::object> Ledger::receipts_json(const std::string& postern_id) const {
  std::lock_guard lock(mu_);
  boost::json::object per_service;
  std::uint64_t received = 0;
  if (postern_id.empty()) {
    for (auto s : kAllServices) {
      auto n = counts_[service_index(s)].unidentified;
      if (n > 0) per_service[service_name(s)] = n;
      received += n;
    }
  } else if (auto counts = ids_.find(postern_id)) {
    for (auto s : kAllServices) {
      auto n = counts->per_service[service_index(s)];
      if (n > 0) per_service[service_name(s)] = n;
    }
    received = counts->total;
  }
  if (received == 0) return std::nullopt;
  boost::json::array receipts;
  for (const auto& r : capture_.find(postern_id)) receipts.emplace_back(receipt_json(r));
  auto kept = receipts.size();
  boost::json::object out{{"postern_id", postern_id},
                          {"received", received},
                          {"per_service", std::move(per_service)},
                          {"receipts", std::move(receipts)},
                          {"receipts_evicted", received > kept ? received - kept : 0}};
  if (hash_bodies_) {
    boost::json::array hashes;
    if (auto it = body_hashes_.find(postern_id); it != body_hashes_.end())
      hashes = boost::json::array(it->second.begin(), it->second.end());
    out["body_sha256"] = std::move(hashes);
  }
  return out;
}

void Ledger::reset() {
  std::lock_guard lock(mu_);
  counts_ = {};
  ids_.clear();
  capture_.clear();
  body_hashes_.clear();
  if (record_) record_->truncate();
}

}  // namespace postern::sim
