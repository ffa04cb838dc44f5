/**
 * Copies of objects keyed by random ids (the store's collections, a network's address leases)
 * for writing, in V8's dictionary representation. See {@link dictionaryCopy}.
 */

/**
 * A copy of `record` (values by id) in V8's dictionary representation, with the usual prototype.
 * A spread copy (`{ ...record }`) is built in V8's fast representation, one hidden class per
 * added key: the ids are random, so nearly every copy makes new hidden classes, each copying the
 * descriptors of the one before (in a micro-benchmark, a copy of 60 entries with one written cost
 * about 57 µs). A dictionary is a hash table that takes keys as they come (about 15 µs). Reading
 * an entry by id costs the same either way; listing the entries is slower from a dictionary,
 * which the simulator does far less often than it copies. Same keys in the same order (insertion
 * order, as for any object), same prototype, so nothing outside can tell.
 */
export function dictionaryCopy<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  const copy = Object.setPrototypeOf(Object.create(null), Object.prototype) as Record<string, T>;
  for (const id in record) copy[id] = record[id]!;
  return copy;
}
