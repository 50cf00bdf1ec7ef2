/** Manager configuration: URI resolution, the YAML/JSON file schema, overrides, and the resolved settings. */
package dev.persist.jcache.config;
