import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { UploadSizeGuard } from './upload-storage';

export const UPLOAD_OPTIONS = Symbol('UPLOAD_OPTIONS');

export interface UploadOptions {
  limitBytes: number;
}

/** The upload size guard with UPLOAD_LIMIT_BYTES from the module (usable in `@UseGuards`). */
@Injectable()
export class UploadLimitGuard implements CanActivate {
  private readonly guard: UploadSizeGuard;

  constructor(@Inject(UPLOAD_OPTIONS) options: UploadOptions) {
    this.guard = new UploadSizeGuard(options.limitBytes);
  }

  canActivate(context: ExecutionContext): boolean {
    return this.guard.canActivate(context);
  }
}
