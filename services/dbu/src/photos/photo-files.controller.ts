import { basename, dirname } from 'node:path';
import send from '@fastify/send';
import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException, Endpoint, NotFoundApiException, Obj, Type } from '@pjs/http';
import { resolvePhotoFile } from './photo-files';

export const PHOTOS_DIR = Symbol('PHOTOS_DIR');

const PhotoNameParams = Obj({
  name: Type.String({ description: "The photo's SHA-256 and extension, as in a product's `photos[].file_url`" }),
});

/** A year: a content-addressed name never shows other content. */
const MAX_AGE = '365d';

/**
 * `GET /media/photos/<sha256>.<ext>`: the stored product photos, read-only, and nothing else of
 * MEDIA_DIR (uploads live beside them). Conditional requests (ETag / If-None-Match → 304,
 * If-Modified-Since), Range (206, 416) and `Cache-Control: public, max-age=31536000, immutable`
 * come from @fastify/send; which file may be sent is decided first by resolvePhotoFile (the name's
 * form, a regular file inside the photos folder, no symbolic links).
 */
@ApiTags('photos')
@Controller('media/photos')
export class PhotoFilesController {
  constructor(@Inject(PHOTOS_DIR) private readonly photosDir: string) {}

  @Get(':name')
  @Endpoint({
    summary: 'A stored product photo (content-addressed, cacheable for a year)',
    params: PhotoNameParams,
    produces: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif'],
    responses: {
      200: { description: 'The photo', schema: Type.String({ format: 'binary' }) },
      206: { description: 'The requested byte range', schema: Type.String({ format: 'binary' }) },
      304: { description: 'Not modified (If-None-Match / If-Modified-Since)' },
      404: 'No such photo (or not a photo name)',
      416: 'Range not satisfiable',
    },
  })
  async file(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<FastifyReply> {
    const path = await resolvePhotoFile(this.photosDir, name);
    if (!path) throw new NotFoundApiException('photo');
    const result = await send(request.raw, `/${basename(path)}`, {
      root: dirname(path),
      maxAge: MAX_AGE,
      immutable: true,
      dotfiles: 'deny',
      index: false,
      extensions: false,
    });
    if (result.type === 'error') {
      if (result.statusCode !== 416) throw new NotFoundApiException('photo');
      result.stream.destroy();
      reply.header('Content-Range', result.headers['Content-Range'] ?? result.headers['content-range']);
      throw new ApiException(416, 'range_not_satisfiable', 'The requested range is outside the photo.');
    }
    return reply.code(result.statusCode).headers(result.headers).send(result.stream);
  }
}
