#pragma once

// Readable tables for draftctl: columns padded to their widest cell.

#include <string>
#include <vector>

namespace draftctl {

class table {
public:
  explicit table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::size_t size() const { return rows_.size() - 1; }
  /// The table as text, one line per row, header first.
  std::string render() const;

private:
  std::vector<std::vector<std::string>> rows_;
};

} // namespace draftctl
