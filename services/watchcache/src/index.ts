// The watchcache service: per-resource caches fed by KV watch, serving list/get/watch and
// publishing watch events on the bus (DESIGN.md "Read" and "Watch" paths). Built by issue 4.

export {};
