// Public API of src/hash (re-exported by src/index.ts).
export {};
