// Public API of src/smime (re-exported by src/index.ts).
export {};
