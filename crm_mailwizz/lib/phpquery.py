"""PHP-compatible form encoding.

MailWizz is a PHP application: request bodies are read from ``$_POST`` and the
1.x request signature is computed over PHP's ``http_build_query()`` output
(see ``MailWizzApi_Http_Request::sign()`` in github.com/twisted1919/mailwizz-php-sdk).
To produce byte-identical signatures we reproduce ``http_build_query($data, '', '&')``:

* nested arrays are flattened as ``key[sub][0]=value``;
* keys and values are encoded like PHP's ``urlencode()`` (RFC 1738, space -> ``+``);
* ``None`` values are skipped, ``True``/``False`` become ``1``/``0``.

``parse_php_query`` is the inverse (what PHP does to fill ``$_POST``/``$_GET``).
"""

from urllib.parse import quote_plus, unquote_plus

__all__ = ["http_build_query", "ksort", "parse_php_query"]


def _php_urlencode(value):
    # PHP urlencode() leaves only [A-Za-z0-9_.-] unescaped ("~" is escaped too).
    return quote_plus(str(value), safe="").replace("~", "%7E")


def _scalar(value):
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flatten(prefix, value, out):
    if value is None:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            _flatten(f"{prefix}[{key}]", sub, out)
    elif isinstance(value, (list, tuple)):
        for index, sub in enumerate(value):
            _flatten(f"{prefix}[{index}]", sub, out)
    else:
        out.append(f"{_php_urlencode(prefix)}={_php_urlencode(_scalar(value))}")


def http_build_query(data):
    """Encode a (possibly nested) mapping exactly like PHP's ``http_build_query``."""
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            for sub_key, sub in value.items():
                _flatten(f"{key}[{sub_key}]", sub, out)
        elif isinstance(value, (list, tuple)):
            for index, sub in enumerate(value):
                _flatten(f"{key}[{index}]", sub, out)
        elif value is not None:
            out.append(f"{_php_urlencode(key)}={_php_urlencode(_scalar(value))}")
    return "&".join(out)


def ksort(data):
    """Return a copy of ``data`` with top-level keys sorted like PHP ``ksort(SORT_STRING)``."""
    return {key: data[key] for key in sorted(data, key=lambda k: str(k).encode("utf-8"))}


def _split_key(raw_key):
    """'a[b][0]' -> ['a', 'b', '0']; 'a[]' -> ['a', '']"""
    if "[" not in raw_key or not raw_key.endswith("]"):
        return [raw_key]
    head, _sep, rest = raw_key.partition("[")
    return [head, *rest[:-1].split("][")]


def parse_php_query(qs):
    """Parse a query string / form body into nested dicts like PHP does for ``$_POST``.

    Sub-arrays are returned as dicts whose keys are strings ("0", "1", ...), in
    the order they appear, which is what re-encoding with ``http_build_query``
    needs to reproduce the same bytes.
    """
    result = {}
    if not qs:
        return result
    for pair in qs.split("&"):
        if not pair:
            continue
        raw_key, _sep, raw_value = pair.partition("=")
        key = unquote_plus(raw_key)
        value = unquote_plus(raw_value)
        parts = _split_key(key)
        node = result
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        last = parts[-1]
        if last == "":
            last = str(len(node))
        node[last] = value
    return result
