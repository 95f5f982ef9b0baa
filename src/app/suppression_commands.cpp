#include "app/suppression_commands.h"

#include <istream>
#include <ostream>

#include "core/time_format.h"
#include "events/suppression_csv.h"
#include "events/suppression_entry.h"
#include "store/await_write.h"

namespace postern::app {
namespace {

constexpr std::size_t kPage = 1000;
constexpr std::size_t kWriteBatch = 1000;
constexpr std::size_t kReadChunk = 64 * 1024;

// Calls `each` for every entry of the list, in key order.
template <class Each>
Result<void> for_each_entry(store::EventStore& list, Each each) {
  std::string after;
  for (;;) {
    auto page = list.list_suppressions(after, kPage);
    if (!page) return page.error();
    for (const auto& e : *page) each(e);
    if (page->size() < kPage) return {};
    after = store::suppression_key(page->back().address);
  }
}

int read_failed(const error_code& ec, std::ostream& err) {
  err << "postern: cannot read the suppression list: " << ec.message() << "\n";
  return 1;
}

Result<std::size_t> add(store::EventStore& list, std::vector<store::Suppression> entries) {
  return store::await_write<std::size_t>(
      [&](auto done) { list.add_suppressions(std::move(entries), done); });
}

}  // namespace

int list_suppressed(store::EventStore& list, std::ostream& out, std::ostream& err) {
  auto r = for_each_entry(list, [&](const store::Suppression& e) {
    out << e.address << '\t' << e.reason << '\t' << (e.provider.empty() ? "-" : e.provider) << '\t'
        << (e.message ? e.message->to_string() : "-") << '\t' << format_rfc3339(e.created_at)
        << '\t' << e.detail << '\n';
  });
  if (!r) return read_failed(r.error(), err);
  return 0;
}

int add_suppressed(store::EventStore& list, const Clock& clock,
                   const std::vector<std::string>& addresses, const std::string& reason,
                   const std::string& detail, std::ostream& err) {
  std::vector<store::Suppression> entries;
  for (const auto& a : addresses) {
    store::Suppression e{a, reason, "", std::nullopt, detail, clock.now()};
    if (auto bad = events::check_suppression(e); !bad) {
      err << "postern: " << bad.error().message << "\n";
      return 2;
    }
    entries.push_back(std::move(e));
  }
  auto n = entries.size();
  auto added = add(list, std::move(entries));
  if (!added) {
    err << "postern: cannot write the store: " << added.error().message() << "\n";
    return 1;
  }
  err << "added " << *added << " of " << n << " addresses to the suppression list"
      << (*added < n ? " (the others were on it)" : "") << "\n";
  return 0;
}

int remove_suppressed(store::EventStore& list, const std::string& address, std::ostream& err) {
  auto removed =
      store::await_write<bool>([&](auto done) { list.remove_suppression(address, done); });
  if (!removed) {
    err << "postern: cannot write the store: " << removed.error().message() << "\n";
    return 1;
  }
  if (!*removed) {
    err << "postern: '" << address << "' is not on the suppression list\n";
    return 1;
  }
  err << "removed '" << address << "' from the suppression list\n";
  return 0;
}

int import_suppressed(store::EventStore& list, const Clock& clock, std::istream& in,
                      std::ostream& err, std::size_t progress_every) {
  events::SuppressionCsvReader reader(clock.now());
  std::vector<store::Suppression> pending;
  std::size_t read = 0, added = 0, next_report = progress_every;
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    auto n = add(list, std::move(pending));
    pending.clear();
    if (!n) {
      err << "postern: cannot write the store after " << read << " entries: " << n.error().message()
          << "\n";
      return false;
    }
    added += *n;
    if (read >= next_report) {
      err << "imported " << read << " entries (" << added << " new)\n";
      next_report = read + progress_every;
    }
    return true;
  };
  // Adds what was read (the rows before a bad one too), then reports the
  // bad one.
  auto take = [&](Result<void, FieldError> r) -> bool {
    for (auto& e : reader.entries()) {
      pending.push_back(std::move(e));
      ++read;
      if (pending.size() >= kWriteBatch && !flush()) return false;
    }
    reader.entries().clear();
    if (!r) {
      err << "postern: " << r.error().message << "; nothing after it was imported\n";
      return false;
    }
    return true;
  };
  std::string chunk(kReadChunk, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    if (!take(reader.feed({chunk.data(), got}))) return (flush(), 1);
  }
  if (in.bad()) {
    err << "postern: cannot read the input\n";
    return 1;
  }
  if (!take(reader.finish())) return (flush(), 1);
  if (!flush()) return 1;
  err << "imported " << read << " entries: " << added << " new, " << read - added
      << " already on the list\n";
  return 0;
}

int export_suppressed(store::EventStore& list, std::ostream& out, std::ostream& err) {
  out << events::suppression_csv_header();
  auto r = for_each_entry(
      list, [&](const store::Suppression& e) { out << events::suppression_csv_line(e); });
  if (!r) return read_failed(r.error(), err);
  out.flush();
  return 0;
}

}  // namespace postern::app
