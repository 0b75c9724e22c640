/** The validated settings of the process (ImConfig), provided once by CoreModule. */
export const IM_CONFIG = Symbol('IM_CONFIG');
