using System.Collections;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace BotFlow.Sdk.Data;

/// <summary>
/// A map of plain data (a JSON object: string keys, plain values) that keeps its keys in insertion order and stores
/// them in one array: what a <see cref="Dictionary{TKey,TValue}"/> holds in a hash table and two arrays, for the maps
/// of a few keys that every run builds (a partner's answer, the execution record's request and response, a body's
/// objects). Readers see it as any dictionary: it implements the generic, read-only and non-generic dictionary
/// interfaces (templates reach keys through the last one).
/// </summary>
/// <remarks>
/// Lookups compare keys one by one while the map is small; past <see cref="IndexAbove"/> keys the first lookup builds a
/// hash index kept up to date from then on, so a large object read from a partner costs what a dictionary would.
/// Keys compare ordinally (optionally ignoring case, for header names). Changing a value during an enumeration is
/// allowed; adding or removing a key ends it with an <see cref="InvalidOperationException"/>. Like
/// <see cref="Dictionary{TKey,TValue}"/>, many threads may read a map that none is changing.
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
public sealed class PlainMap : IDictionary<string, object?>, IReadOnlyDictionary<string, object?>, IDictionary
{
    /// <summary>How many keys a map compares one by one before it indexes them.</summary>
    public const int IndexAbove = 16;

    private Entry[] _entries;
    private int _count;
    private int _version;
    private Dictionary<string, int>? _index;

    private struct Entry
    {
        public string Key;
        public object? Value;
    }

    /// <summary>An empty map with room for <paramref name="capacity"/> keys before it grows.</summary>
    /// <param name="capacity">Keys the map holds before its array grows.</param>
    /// <param name="ignoreCase">Compare keys ignoring case (ordinal), as HTTP header names are.</param>
    public PlainMap(int capacity = 0, bool ignoreCase = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _entries = capacity == 0 ? [] : new Entry[capacity];
        IgnoreCase = ignoreCase;
    }

    /// <summary>A copy of <paramref name="source"/>'s pairs in its order (a repeated key keeps its first place and its last value).</summary>
    /// <param name="source">The pairs to copy.</param>
    /// <param name="ignoreCase">Compare keys ignoring case (ordinal).</param>
    public PlainMap(IEnumerable<KeyValuePair<string, object?>> source, bool ignoreCase = false)
        : this(source is IReadOnlyCollection<KeyValuePair<string, object?>> sized ? sized.Count : 0, ignoreCase)
    {
        if (source is PlainMap plain && plain.IgnoreCase == ignoreCase)
        {
            // Keys already distinct under the same comparison: copy the array.
            Array.Copy(plain._entries, _entries, plain._count);
            _count = plain._count;
            return;
        }

        foreach (var (key, value) in source)
        {
            this[key] = value;
        }
    }

    /// <summary>
    /// A map of <paramref name="source"/>'s keys in its order, each value made by <paramref name="convert"/> from the key
    /// and its text (a contact's fields typed, a partner's header values masked). A <see cref="Dictionary{TKey,TValue}"/>
    /// is read with its own enumerator: through the interface one would be boxed on every call.
    /// </summary>
    /// <typeparam name="TState">What <paramref name="convert"/> needs, passed in so that a static lambda serves (no closure per call).</typeparam>
    /// <param name="source">The texts to convert.</param>
    /// <param name="state">Passed to every call of <paramref name="convert"/>.</param>
    /// <param name="convert">Makes a value from the state, the key and the text.</param>
    public static PlainMap FromStrings<TState>(IReadOnlyDictionary<string, string> source, TState state, Func<TState, string, string, object?> convert)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(convert);
        return source is Dictionary<string, string> dictionary
            ? FromStrings(dictionary.GetEnumerator(), dictionary.Count, state, convert)
            : FromStrings(source.GetEnumerator(), source.Count, state, convert);
    }

    private static PlainMap FromStrings<TEnumerator, TState>(TEnumerator source, int count, TState state, Func<TState, string, string, object?> convert)
        where TEnumerator : IEnumerator<KeyValuePair<string, string>>
    {
        var map = new PlainMap(count);
        using (source)
        {
            while (source.MoveNext())
            {
                var (key, text) = source.Current;
                map[key] = convert(state, key, text);
            }
        }

        return map;
    }

    /// <summary>True when keys compare ignoring case.</summary>
    public bool IgnoreCase { get; }

    /// <inheritdoc cref="ICollection{T}.Count"/>
    public int Count => _count;

    /// <inheritdoc cref="IDictionary{TKey,TValue}.this"/>
    public object? this[string key]
    {
        get => IndexOf(key) is var i and >= 0 ? _entries[i].Value : throw new KeyNotFoundException($"The given key '{key}' was not present in the map.");
        set
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                _entries[i].Value = value;
            }
            else
            {
                Append(key, value);
            }
        }
    }

    /// <summary>The keys in insertion order (a copy).</summary>
    public ICollection<string> Keys
    {
        get
        {
            var keys = new string[_count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = _entries[i].Key;
            }

            return keys;
        }
    }

    /// <summary>The values in insertion order (a copy).</summary>
    public ICollection<object?> Values
    {
        get
        {
            var values = new object?[_count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = _entries[i].Value;
            }

            return values;
        }
    }

    IEnumerable<string> IReadOnlyDictionary<string, object?>.Keys => Keys;

    IEnumerable<object?> IReadOnlyDictionary<string, object?>.Values => Values;

    bool ICollection<KeyValuePair<string, object?>>.IsReadOnly => false;

    /// <summary>Adds a key that is not in the map yet.</summary>
    /// <exception cref="ArgumentException">The key is already in the map.</exception>
    public void Add(string key, object? value)
    {
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"An item with the same key has already been added. Key: {key}", nameof(key));
        }

        Append(key, value);
    }

    /// <inheritdoc cref="IDictionary{TKey,TValue}.ContainsKey"/>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc cref="IDictionary{TKey,TValue}.TryGetValue"/>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        var i = IndexOf(key);
        if (i >= 0)
        {
            value = _entries[i].Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Removes a key; the keys after it keep their order.</summary>
    public bool Remove(string key)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            return false;
        }

        _count--;
        Array.Copy(_entries, i + 1, _entries, i, _count - i);
        _entries[_count] = default;
        // Positions after the removed key moved: the index is built again when next needed.
        _index = null;
        _version++;
        return true;
    }

    /// <inheritdoc cref="ICollection{T}.Clear"/>
    public void Clear()
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
        _index = null;
        _version++;
    }

    /// <summary>The pairs in insertion order.</summary>
    public Enumerator GetEnumerator() => new(this, dictionaryEntries: false);

    IEnumerator<KeyValuePair<string, object?>> IEnumerable<KeyValuePair<string, object?>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    void ICollection<KeyValuePair<string, object?>>.Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);

    bool ICollection<KeyValuePair<string, object?>>.Contains(KeyValuePair<string, object?> item) =>
        IndexOf(item.Key) is var i and >= 0 && EqualityComparer<object?>.Default.Equals(_entries[i].Value, item.Value);

    bool ICollection<KeyValuePair<string, object?>>.Remove(KeyValuePair<string, object?> item) =>
        ((ICollection<KeyValuePair<string, object?>>)this).Contains(item) && Remove(item.Key);

    void ICollection<KeyValuePair<string, object?>>.CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfNegative(arrayIndex);
        if (array.Length - arrayIndex < _count)
        {
            throw new ArgumentException("The destination array is too small.", nameof(array));
        }

        for (var i = 0; i < _count; i++)
        {
            array[arrayIndex + i] = new KeyValuePair<string, object?>(_entries[i].Key, _entries[i].Value);
        }
    }

    // The non-generic dictionary, as Dictionary<TKey, TValue> implements it: a missing or non-string key reads as null.
    bool IDictionary.IsFixedSize => false;

    bool IDictionary.IsReadOnly => false;

    ICollection IDictionary.Keys => (string[])Keys;

    ICollection IDictionary.Values => (object?[])Values;

    bool ICollection.IsSynchronized => false;

    object ICollection.SyncRoot => this;

    object? IDictionary.this[object key]
    {
        get => key is string text && TryGetValue(text, out var value) ? value : null;
        set => this[KeyOf(key)] = value;
    }

    void IDictionary.Add(object key, object? value) => Add(KeyOf(key), value);

    bool IDictionary.Contains(object key) => key is string text && ContainsKey(text);

    IDictionaryEnumerator IDictionary.GetEnumerator() => new Enumerator(this, dictionaryEntries: true);

    void IDictionary.Remove(object key)
    {
        if (key is string text)
        {
            Remove(text);
        }
    }

    void ICollection.CopyTo(Array array, int index)
    {
        ArgumentNullException.ThrowIfNull(array);
        for (var i = 0; i < _count; i++)
        {
            array.SetValue(new KeyValuePair<string, object?>(_entries[i].Key, _entries[i].Value), index + i);
        }
    }

    private static string KeyOf(object key) => key as string ?? throw new ArgumentException($"A plain map's keys are strings, not {key?.GetType().Name ?? "null"}.", nameof(key));

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Volatile.Read(ref _index) is { } index)
        {
            return index.TryGetValue(key, out var found) ? found : -1;
        }

        var entries = _entries;
        var count = _count;
        if (count > IndexAbove)
        {
            // Built whole before it is published: readers on other threads may share a map (as they may a dictionary)
            // and must never see half an index; two of them building it at once only build it twice.
            index = new Dictionary<string, int>(count, IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                index[entries[i].Key] = i;
            }

            Volatile.Write(ref _index, index);
            return index.TryGetValue(key, out var found) ? found : -1;
        }

        if (IgnoreCase)
        {
            for (var i = 0; i < count; i++)
            {
                if (string.Equals(entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                if (string.Equals(entries[i].Key, key))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private void Append(string key, object? value)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count == 0 ? 4 : _count * 2);
        }

        _entries[_count] = new Entry { Key = key, Value = value };
        _index?.Add(key, _count);
        _count++;
        _version++;
    }

    /// <summary>Enumerates a map's pairs in insertion order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, object?>>, IDictionaryEnumerator
    {
        private readonly PlainMap _map;
        private readonly int _version;
        private readonly bool _dictionaryEntries;
        private int _next;
        private KeyValuePair<string, object?> _current;

        internal Enumerator(PlainMap map, bool dictionaryEntries)
        {
            _map = map;
            _version = map._version;
            _dictionaryEntries = dictionaryEntries;
        }

        /// <inheritdoc/>
        public readonly KeyValuePair<string, object?> Current => _current;

        readonly object IEnumerator.Current => _dictionaryEntries ? Entry : _current;

        readonly DictionaryEntry IDictionaryEnumerator.Entry => Entry;

        readonly object IDictionaryEnumerator.Key => _current.Key;

        readonly object? IDictionaryEnumerator.Value => _current.Value;

        private readonly DictionaryEntry Entry => new(_current.Key, _current.Value);

        /// <inheritdoc/>
        public bool MoveNext()
        {
            if (_version != _map._version)
            {
                throw new InvalidOperationException("The map was changed (a key added or removed) during its enumeration.");
            }

            if (_next < _map._count)
            {
                ref var entry = ref _map._entries[_next++];
                _current = new KeyValuePair<string, object?>(entry.Key, entry.Value);
                return true;
            }

            _current = default;
            return false;
        }

        /// <inheritdoc/>
        public void Reset()
        {
            _next = 0;
            _current = default;
        }

        /// <inheritdoc/>
        public readonly void Dispose()
        {
        }
    }
}
