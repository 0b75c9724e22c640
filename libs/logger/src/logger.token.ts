import { Inject } from '@nestjs/common';

/** The injection token of the process's logger: every app provides it once, in its core module. */
export const LOGGER = Symbol('LOGGER');

/** Constructor parameter decorator for the process's logger. */
export const InjectLogger = (): ParameterDecorator => Inject(LOGGER);
