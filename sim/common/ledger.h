// Everything the simulator received: counts per service (accepted, rejected
// by status), Postern ids with their duplicates, the kept receipts and the
// --record file. One object owned by main; every service writes to it from
// any I/O thread.
#pragma once

#include <array>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/common/capture.h"
#include "sim/common/id_counts.h"
#include "sim/common/record_file.h"

namespace postern::sim {

struct StatsQuery {
  // Ids are listed for a service while it has at most this many distinct
  // ones (ids=all lists them whatever the number). Also bounds the
  // duplicates listing.
  std::size_t list_limit = 10'000;
  bool all_ids = false;
};

class Ledger {
 public:
  // `record` may be empty (no --record). With `hash_bodies` (--hash-bodies)
  // the SHA-256 of every body is kept by Postern id, however many the
  // capture has evicted, so that tests of big messages can check each one
  // byte for byte without the simulator holding them.
  Ledger(std::size_t capture_budget_bytes, std::optional<RecordFile> record,
         bool hash_bodies = false);

  // Counts one accepted message, keeps its receipt and appends it to the
  // record. `postern_id` "" counts it as unidentified. Thread-safe.
  void accept(const std::string& postern_id, Receipt receipt);
  // Counts one refused request by its status (HTTP status or SMTP code).
  void reject(Service service, int status);

  // Counts a line of a previous run's record (start-up only).
  void restore(Service service, std::string_view postern_id);

  // Accepted so far by one service (SES GetAccount's SentLast24Hours).
  std::uint64_t accepted(Service service) const;

  // GET /_sim/stats. `running`/`ports` describe the listeners.
  boost::json::object stats_json(const StatsQuery& query,
                                 const std::vector<Service>& services) const;
  // GET /_sim/messages/{id}: nullopt when the id was never received.
  std::optional<boost::json::object> receipts_json(const std::string& postern_id) const;

  // Forgets everything and empties the record file.
  void reset();

 private:
  struct ServiceCounts {
    std::uint64_t accepted = 0;
    std::uint64_t unidentified = 0;
    std::map<int, std::uint64_t> rejected;
  };
  void count_accepted(Service service, const std::string& postern_id);  // requires mu_

  mutable std::mutex mu_;
  std::array<ServiceCounts, kServiceCount> counts_;  // guarded by mu_
  IdCounts ids_;                                     // guarded by mu_
  Capture capture_;                                  // guarded by mu_
  bool hash_bodies_;
  std::unordered_map<std::string, std::vector<std::string>> body_hashes_;  // guarded by mu_
  std::optional<RecordFile> record_;  // append() is thread-safe by itself
};

}  // namespace postern::sim
