// SPDX-License-Identifier: MIT
// workload.cpp - a moderately big C++ translation unit for the real-workload
// benchmark: clang-14 -O2 -c spends its time in libLLVM and libclang-cpp
// (parsing the standard headers, instantiating templates, optimising).
// It is only compiled, never run.
#include <algorithm>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace bench {

template <typename K, typename V>
class lru_cache {
public:
	explicit lru_cache(std::size_t cap) : cap_(cap) {}

	bool get(const K &k, V &out)
	{
		auto it = index_.find(k);
		if (it == index_.end())
			return false;
		order_.splice(order_.begin(), order_, it->second);
		out = it->second->second;
		return true;
	}

	void put(const K &k, const V &v)
	{
		auto it = index_.find(k);
		if (it != index_.end()) {
			it->second->second = v;
			order_.splice(order_.begin(), order_, it->second);
			return;
		}
		order_.emplace_front(k, v);
		index_[k] = order_.begin();
		if (index_.size() > cap_) {
			index_.erase(order_.back().first);
			order_.pop_back();
		}
	}

private:
	std::size_t cap_;
	std::list<std::pair<K, V>> order_;
	std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator>
		index_;
};

template <typename T>
std::vector<T> top_n(std::vector<T> v, std::size_t n)
{
	std::sort(v.begin(), v.end(), std::greater<T>());
	if (v.size() > n)
		v.resize(n);
	return v;
}

template <typename T>
std::map<T, std::size_t> histogram(const std::vector<T> &v)
{
	std::map<T, std::size_t> h;
	for (const auto &x : v)
		++h[x];
	return h;
}

template <typename T>
std::string join(const std::vector<T> &v, const std::string &sep)
{
	std::ostringstream os;
	for (std::size_t i = 0; i < v.size(); i++)
		os << (i ? sep : "") << v[i];
	return os.str();
}

struct record {
	std::string name;
	int year;
	double score;
	bool operator<(const record &o) const
	{
		return std::tie(year, name, score) <
		       std::tie(o.year, o.name, o.score);
	}
	bool operator>(const record &o) const { return o < *this; }
	bool operator==(const record &o) const
	{
		return !(*this < o) && !(o < *this);
	}
};

std::ostream &operator<<(std::ostream &os, const record &r)
{
	return os << r.name << '/' << r.year << '/' << r.score;
}

std::vector<record> parse(const std::string &text)
{
	static const std::regex line_re(R"((\w+)\s*,\s*(\d{4})\s*,\s*([0-9.]+))");
	std::vector<record> out;
	for (std::sregex_iterator it(text.begin(), text.end(), line_re), end;
	     it != end; ++it)
		out.push_back({ (*it)[1], std::stoi((*it)[2]),
				std::stod((*it)[3]) });
	return out;
}

std::vector<std::string> words(const std::string &text)
{
	static const std::regex word_re(R"([A-Za-z]+)");
	std::vector<std::string> w;
	std::transform(std::sregex_token_iterator(text.begin(), text.end(),
						  word_re),
		       std::sregex_token_iterator(), std::back_inserter(w),
		       [](const std::string &s) {
			       std::string l(s);
			       std::transform(l.begin(), l.end(), l.begin(),
					      ::tolower);
			       return l;
		       });
	return w;
}

template <typename T>
struct summary {
	T min, max;
	double mean;
};

template <typename T>
summary<T> summarize(const std::vector<T> &v)
{
	auto mm = std::minmax_element(v.begin(), v.end());
	double mean = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
	return { *mm.first, *mm.second, mean };
}

template <typename Map>
std::vector<typename Map::key_type> keys_by_value(const Map &m)
{
	std::vector<std::pair<typename Map::key_type,
			      typename Map::mapped_type>> kv(m.begin(),
							     m.end());
	std::stable_sort(kv.begin(), kv.end(), [](const auto &a,
						   const auto &b) {
		return a.second > b.second;
	});
	std::vector<typename Map::key_type> keys;
	for (auto &p : kv)
		keys.push_back(p.first);
	return keys;
}

} // namespace bench

int main(int argc, char **argv)
{
	using namespace bench;
	std::string text;
	for (std::string line; std::getline(std::cin, line);)
		text += line + "\n";

	auto recs = parse(text);
	std::sort(recs.begin(), recs.end());
	std::cout << join(top_n(recs, 5), ", ") << "\n";

	auto w = words(text);
	auto h = histogram(w);
	std::cout << join(keys_by_value(h), " ") << "\n";

	std::vector<int> years;
	std::vector<double> scores;
	std::set<std::string> names;
	for (const auto &r : recs) {
		years.push_back(r.year);
		scores.push_back(r.score);
		names.insert(r.name);
	}
	auto ys = summarize(years);
	auto ss = summarize(scores);
	std::cout << ys.min << ".." << ys.max << " " << ss.mean << " "
		  << names.size() << "\n";
	std::cout << join(top_n(years, 3), ",") << " "
		  << join(top_n(scores, 3), ",") << "\n";

	lru_cache<std::string, int> c1(16);
	lru_cache<int, std::string> c2(16);
	lru_cache<std::string, std::vector<double>> c3(4);
	for (std::size_t i = 0; i < w.size(); i++) {
		int v;
		if (!c1.get(w[i], v))
			c1.put(w[i], (int)i);
		c2.put((int)i, w[i]);
		c3.put(w[i], scores);
	}
	std::unique_ptr<std::map<int, std::set<std::string>>> by_year(
		new std::map<int, std::set<std::string>>());
	for (const auto &r : recs)
		(*by_year)[r.year].insert(r.name);
	for (const auto &p : *by_year)
		std::cout << p.first << ": "
			  << join(std::vector<std::string>(p.second.begin(),
							   p.second.end()),
				  " ")
			  << "\n";
	return argc > 1 && argv[1][0] == 'x';
}
