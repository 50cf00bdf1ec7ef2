package dev.persist.bench; final class Placeholder {}
