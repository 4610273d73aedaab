// cluster_intruder: a process that is not a member trying the cluster port
// of a node, for tests/gateway/cluster_security_test.cpp.
//
//   cluster_intruder HOST PORT CLAIM [CERT KEY CA]
//
// Connects to the node's membership actor (over TLS with the given files, or
// in plaintext without them), then, claiming to be node CLAIM, sends a
// heartbeat and asks for a draft's actor and the admin actor. Prints one line
// per step: "<step>: accepted" or "<step>: refused <error>".

#include <cstdio>
#include <string>

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/openssl/all.hpp>

#include "actors/actor_system_config.hpp"
#include "actors/actor_interfaces.hpp"
#include "actors/gateway_messages.hpp"

using namespace draft;

int main(int argc, char** argv) {
  if (argc != 4 && argc != 7) {
    std::fprintf(stderr, "usage: %s HOST PORT CLAIM [CERT KEY CA]\n", argv[0]);
    return 2;
  }
  std::string host = argv[1], claim = argv[3];
  auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  bool tls = argc == 7;
  gateway_system_config config;
  if (tls) {
    config.load<caf::openssl::manager>();
    config.openssl_certificate = argv[4];
    config.openssl_key = argv[5];
    config.openssl_cafile = argv[6];
  }
  caf::actor_system system{config};
  // The interface is checked on connect: an intruder speaks the real one.
  auto target = tls ? caf::openssl::remote_actor<membership_api>(system, host, port)
                    : system.middleman().remote_actor<membership_api>(host, port);
  if (!target) {
    std::printf("connect: refused %s\n", system.render(target.error()).c_str());
    return 0;
  }
  std::printf("connect: accepted\n");
  caf::scoped_actor self{system};
  auto report = [&](const char* step) {
    return std::make_pair(
      [step](auto&&...) { std::printf("%s: accepted\n", step); },
      [step, &system](caf::error& err) {
        std::printf("%s: refused %s\n", step, system.render(err).c_str());
      });
  };
  {
    auto [ok, no] = report("heartbeat");
    self->request(*target, std::chrono::seconds(5), heartbeat_atom::value, claim,
                  std::vector<std::string>{claim})
      .receive([&](std::string&, std::vector<std::string>&, std::int64_t) { ok(); },
               no);
  }
  {
    auto [ok, no] = report("get_draft");
    self->request(*target, std::chrono::seconds(5), caf::get_atom::value,
                  std::string("00000000-0000-4000-8000-000000000001"))
      .receive([&](caf::actor&) { ok(); }, no);
  }
  {
    auto [ok, no] = report("get_admin");
    self->request(*target, std::chrono::seconds(5), admin_atom::value)
      .receive([&](admin_peer_api&) { ok(); }, no);
  }
  std::fflush(stdout);
  return 0;
}
