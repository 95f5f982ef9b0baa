#include "app/server_tls.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "core/time_format.h"
#include "net/listen_address.h"
#include "net/self_signed_store.h"

namespace postern::app {
namespace {

std::string machine_host_name() {
  char host[HOST_NAME_MAX + 1] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

void add_unique(std::vector<std::string>& names, std::string name) {
  if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) return;
  names.push_back(std::move(name));
}

}  // namespace

std::filesystem::path self_signed_dir(const Config& config) {
  return store::local_data_dir(config.store) / "tls";
}

std::vector<std::string> self_signed_names(const Config& config, const std::string& host_name) {
  std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
  add_unique(names, config.smtp.server.hostname);
  add_unique(names, host_name);
  std::vector<std::string> listens{config.pop3.server.listen, config.inbox.mx_listen,
                                   config.http.tls_listen};
  for (const auto& listener : config.smtp.listeners()) listens.push_back(listener.listen);
  for (const auto& address : listens) {
    auto listen = net::parse_listen_address(address);
    // A wildcard address names no host a client would connect to.
    if (listen && listen->host != "0.0.0.0" && listen->host != "::")
      add_unique(names, listen->host);
  }
  return names;
}

Result<net::ServerTlsOptions, Problem> server_tls(const Config& config, SystemTime now) {
  const auto& configured = config.smtp.server.tls;
  bool served = !config.smtp.listeners().empty() || !config.inbox.mx_listen.empty() ||
                !config.pop3.server.listen.empty() || !config.http.tls_listen.empty();
  if (configured.enabled() || !configured.self_signed || !served) return configured;
  net::SelfSignedOptions options;
  options.dir = self_signed_dir(config);
  options.names = self_signed_names(config, machine_host_name());
  auto kept = net::keep_self_signed(options, now);
  if (!kept) return kept.error();
  if (kept->created) {
    spdlog::info("tls: made a self-signed certificate {} ({}), valid until {}", kept->files.cert,
                 kept->reason, format_rfc3339(kept->facts.not_after));
  } else {
    spdlog::info("tls: using the self-signed certificate {} made before, valid until {}",
                 kept->files.cert, format_rfc3339(kept->facts.not_after));
  }
  spdlog::info("tls: self-signed certificate SHA-256 fingerprint {}",
               kept->facts.sha256_fingerprint);
  auto files = kept->files;
  files.self_signed = true;
  return files;
}

}  // namespace postern::app
