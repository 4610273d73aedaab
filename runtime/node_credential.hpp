#pragma once

// A gateway node's identity in the cluster: its private key and certificate
// (the same files as its TLS), and the cluster CA. CAF's TLS proves a peer
// holds *some* certificate of the cluster CA, but does not let the
// application see which one; so the membership actor adds a hello on top:
// the peer signs a challenge with its key, and sends its certificate, which
// must chain to the CA and name the node id it claims (its common name).
// OpenSSL behind this header.

#include <memory>
#include <string>
#include <string_view>

#include "protocol/result.hpp"

namespace draft {

class node_credential {
public:
  /// Loads the node's certificate and key and the CA (PEM files).
  static result<std::shared_ptr<const node_credential>>
  load(const std::string& certificate, const std::string& key,
       const std::string& ca);

  ~node_credential();

  /// The node's certificate (PEM), sent to peers in the hello.
  const std::string& certificate_pem() const { return certificate_pem_; }

  /// The node id the certificate names (its common name).
  const std::string& name() const { return name_; }

  /// Signs `message` (SHA-256 with the node's key); empty on failure.
  std::string sign(std::string_view message) const;

  /// Checks that `certificate_pem` chains to the cluster CA, names
  /// `node_id`, and that `signature` is its key's over `message`.
  result<bool> verify(const std::string& certificate_pem,
                      const std::string& node_id, std::string_view message,
                      const std::string& signature) const;

  struct impl;

private:
  node_credential() = default;
  std::unique_ptr<impl> impl_;
  std::string certificate_pem_;
  std::string name_;
};

/// `n` random bytes as hex (OpenSSL's RAND_bytes).
std::string random_hex(std::size_t n);

} // namespace draft
